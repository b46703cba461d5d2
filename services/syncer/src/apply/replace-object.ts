import type { KubernetesObject } from '@tidewater/queues';
import { isRetryableStatus, retryableStatusError, statusMessage } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { describeObject } from './object-ref.ts';
import { resourcePath } from './resource-path.ts';
import { fieldManager, fieldValidationOf, type AppliedObject } from './server-side-apply.ts';
import type { PlannedObject } from './sync-plan.ts';

/**
 * Replace=true: `kubectl replace`, or `kubectl create` when the object does not exist. The whole object is
 * written with PUT (fields set by others and not in Git are dropped, as with kubectl replace); a missing object
 * is created with POST to its collection.
 */
export async function replaceObject(transport: KubeTransport, planned: PlannedObject, options: { validate?: boolean } = {}): Promise<AppliedObject> {
  const { ref } = planned;
  const identity = { group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name };
  const query = `fieldManager=${fieldManager}&fieldValidation=${fieldValidationOf(options.validate)}`;
  const objectPath = resourcePath(ref, planned.info);
  const replaced = await transport.request<KubernetesObject>({ method: 'PUT', path: `${objectPath}?${query}`, body: planned.manifest });
  if (replaced.status === 200 || replaced.status === 201) {
    const resourceVersion = replaced.body.metadata?.resourceVersion as string | undefined;
    const outcome = replaced.status === 201 ? 'created'
      : resourceVersion !== undefined && resourceVersion === planned.previousResourceVersion ? 'unchanged' : 'configured';
    return { ...identity, outcome, resourceVersion, liveObject: replaced.body, message: 'replaced (Replace=true)' };
  }
  if (replaced.status === 404) return createObject(transport, planned, options);
  if (isRetryableStatus(replaced.status)) throw retryableStatusError(transport.clusterName, replaced, `replacing ${describeObject(ref)}`);
  return { ...identity, outcome: 'failed', message: `${describeObject(ref)}: ${replaced.status} ${statusMessage(replaced)}` };
}

/** POST to the object's collection (`kubectl create`). */
export async function createObject(transport: KubeTransport, planned: PlannedObject, options: { validate?: boolean } = {}): Promise<AppliedObject> {
  const { ref } = planned;
  const identity = { group: ref.group, kind: ref.kind, namespace: ref.namespace, name: ref.name };
  const objectPath = resourcePath(ref, planned.info);
  const collectionPath = objectPath.slice(0, objectPath.lastIndexOf('/'));
  const created = await transport.request<KubernetesObject>({
    method: 'POST', path: `${collectionPath}?fieldManager=${fieldManager}&fieldValidation=${fieldValidationOf(options.validate)}`, body: planned.manifest,
  });
  if (created.status === 200 || created.status === 201) return { ...identity, outcome: 'created', resourceVersion: created.body.metadata?.resourceVersion as string | undefined, liveObject: created.body };
  if (isRetryableStatus(created.status)) throw retryableStatusError(transport.clusterName, created, `creating ${describeObject(ref)}`);
  return { ...identity, outcome: 'failed', message: `${describeObject(ref)}: ${created.status} ${statusMessage(created)}` };
}
