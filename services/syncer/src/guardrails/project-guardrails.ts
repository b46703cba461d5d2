import { projectPermits, type AppProject, type PermitRequest } from '@tidewater/config';
import { GuardrailViolation } from '../errors/sync-failure.ts';
import { describeObject } from '../apply/object-ref.ts';
import type { PlannedObject } from '../apply/sync-plan.ts';

export interface GuardrailInput {
  appName: string;
  project: AppProject;
  repoURL: string;
  /** The destination as resolved: Cluster name and server (Argo CD matches either), and namespace. */
  destination: { name: string; server: string; namespace?: string };
  objects: readonly PlannedObject[];
}

/**
 * Checks the whole sync against the application's AppProject before anything is applied: the source
 * repository, the destination, and every object's kind and namespace. Throws one GuardrailViolation naming
 * the first offending object, so a sync is all-or-nothing with respect to its project.
 */
export function checkProjectGuardrails(input: GuardrailInput): void {
  const { project, destination } = input;
  const projectName = project.metadata.name;
  const appDecision = projectPermits(project, {
    repoURL: input.repoURL,
    destination: { name: destination.name, server: destination.server, namespace: destination.namespace ?? '' },
  });
  if (!appDecision.allowed) {
    throw new GuardrailViolation(`application ${input.appName} is not permitted by project ${projectName}: ${appDecision.reason}`);
  }

  // Thousands of objects share a handful of kinds and namespaces: decide each combination once.
  const decisions = new Map<string, string | undefined>();
  const denial = (key: string, request: PermitRequest) => {
    if (!decisions.has(key)) {
      const decision = projectPermits(project, request);
      decisions.set(key, decision.allowed ? undefined : decision.reason);
    }
    return decisions.get(key);
  };
  const violations: string[] = [];
  for (const object of input.objects) {
    if (object.managedNamespace) continue; // the destination namespace itself, checked above
    const { ref, info } = object;
    const reason = denial(`kind|${ref.group}|${ref.kind}|${info.namespaced}`, { resource: { group: ref.group, kind: ref.kind, namespaced: info.namespaced } })
      ?? (info.namespaced
        ? denial(`namespace|${ref.namespace}`, { destination: { name: destination.name, server: destination.server, namespace: ref.namespace ?? '' } })
        : undefined);
    if (reason) violations.push(`${describeObject(ref)} is not permitted by project ${projectName}: ${reason}`);
  }
  if (violations.length > 0) {
    const more = violations.length > 1 ? ` (and ${violations.length - 1} more object${violations.length > 2 ? 's' : ''} not permitted)` : '';
    throw new GuardrailViolation(`${violations[0]}${more}`);
  }
}
