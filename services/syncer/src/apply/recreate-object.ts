import { isRetryableStatus, retryableStatusError, statusMessage } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { describeObject } from './object-ref.ts';
import { resourcePath } from './resource-path.ts';
import type { PlannedObject } from './sync-plan.ts';

export interface DeleteAndWaitOptions {
  /** How long to wait for the object to be gone (finalizers, graceful deletion); default 60 s. */
  timeoutMs?: number;
  /** Only delete the live object with this uid (the one just read), never a newer one. */
  uid?: string;
  signal?: AbortSignal;
}

const pollStartMs = 100;
const pollMaxMs = 1_000;

/**
 * Deletes one object (propagationPolicy=Background, so a Job's Pods go with it) and waits until the API no longer
 * serves it. Returns undefined once gone, else why not (refused, or still there at the deadline).
 */
export async function deleteAndWait(transport: KubeTransport, planned: Pick<PlannedObject, 'ref' | 'info'>, options: DeleteAndWaitOptions = {}): Promise<string | undefined> {
  const path = resourcePath(planned.ref, planned.info);
  const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', ...(options.uid ? { preconditions: { uid: options.uid } } : {}) };
  const deleted = await transport.request({ method: 'DELETE', path, body });
  if (isRetryableStatus(deleted.status)) throw retryableStatusError(transport.clusterName, deleted, `deleting ${describeObject(planned.ref)}`);
  if (deleted.status !== 200 && deleted.status !== 202 && deleted.status !== 404 && deleted.status !== 409) {
    return `${describeObject(planned.ref)}: cannot delete it: ${deleted.status} ${statusMessage(deleted)}`;
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  let delayMs = pollStartMs;
  for (;;) {
    const live = await transport.request({ method: 'GET', path });
    if (live.status === 404) return undefined;
    if (isRetryableStatus(live.status)) throw retryableStatusError(transport.clusterName, live, `waiting for ${describeObject(planned.ref)} to be deleted`);
    if (Date.now() >= deadline) return `${describeObject(planned.ref)} is still being deleted after ${Math.round((options.timeoutMs ?? 60_000) / 1000)}s (finalizers?)`;
    if (options.signal?.aborted) return `${describeObject(planned.ref)}: stopped waiting for its deletion: the sync was terminated`;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(pollMaxMs, delayMs * 2);
  }
}
