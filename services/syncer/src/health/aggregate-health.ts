import type { HealthStatus, ObjectHealth } from '@tidewater/queues';
import { isWorse, type HealthAssessment } from './health-assessment.ts';

/** How many of the worst objects the application message names before "and N more". */
const namedObjectLimit = 3;

/**
 * An application's health: the worst of its objects in gitops-engine's `IsWorse` order
 * (Healthy < Suspended < Progressing < Missing < Degraded < Unknown), with a message naming the worst objects,
 * e.g. `Deployment guestbook-dev/dev-guestbook: Progressing: 1 of 3 updated replicas are available`.
 * Unlike Argo CD 3, Missing objects count (Argo CD 2 counted them too): an application is never Healthy
 * while one of its objects is gone. No objects → Healthy (an intentionally empty application).
 */
export function aggregateHealth(objects: readonly ObjectHealth[]): HealthAssessment {
  let worst: HealthStatus = 'Healthy';
  for (const object of objects) {
    if (isWorse(worst, object.status)) worst = object.status;
  }
  if (worst === 'Healthy') return { status: 'Healthy' };

  const worstObjects = objects.filter((object) => object.status === worst);
  const named = worstObjects.slice(0, namedObjectLimit).map(describeObjectHealth);
  const more = worstObjects.length - named.length;
  const message = named.join('; ') + (more > 0 ? `; and ${more} more` : '');
  return { status: worst, message };
}

/** `Kind namespace/name: Status: message`, the form used in application messages and events. */
export function describeObjectHealth(object: ObjectHealth): string {
  const name = object.namespace ? `${object.namespace}/${object.name}` : object.name;
  return `${object.kind} ${name}: ${object.status}${object.message ? `: ${object.message}` : ''}`;
}
