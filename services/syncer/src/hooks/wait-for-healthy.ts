import type { KubernetesObject } from '@tidewater/queues';
import { isRetryableStatus, retryableStatusError } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { describeObject } from '../apply/object-ref.ts';
import { resourcePath } from '../apply/resource-path.ts';
import type { PlannedObject } from '../apply/sync-plan.ts';
import { assessHealth } from '../health/index.ts';

const pollStartMs = 250;
const pollMaxMs = 2_000;

/**
 * Before PostSync hooks, as Argo CD: wait until no applied object is Progressing. Undefined once they all settled;
 * else why the PostSync hooks do not run (an object Degraded or Missing, or still Progressing at the deadline).
 */
export async function waitForSettledHealth(
  transport: KubeTransport,
  objects: readonly Pick<PlannedObject, 'ref' | 'info'>[],
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<string | undefined> {
  const deadline = Date.now() + options.timeoutMs;
  let pending = [...objects];
  let delayMs = pollStartMs;
  for (;;) {
    const stillProgressing: typeof pending = [];
    let lastMessage = '';
    for (const object of pending) {
      const live = await transport.request<KubernetesObject>({ method: 'GET', path: resourcePath(object.ref, object.info) });
      if (isRetryableStatus(live.status)) throw retryableStatusError(transport.clusterName, live, `reading ${describeObject(object.ref)}`);
      if (live.status === 404) return `${describeObject(object.ref)} is Missing`;
      if (live.status !== 200) continue;
      const health = assessHealth(live.body);
      if (health.status === 'Degraded') return `${describeObject(object.ref)} is Degraded${health.message ? `: ${health.message}` : ''}`;
      if (health.status === 'Progressing') {
        stillProgressing.push(object);
        lastMessage = `${describeObject(object.ref)} is still Progressing${health.message ? `: ${health.message}` : ''}`;
      }
    }
    if (stillProgressing.length === 0) return undefined;
    if (Date.now() >= deadline) return `${lastMessage} after ${Math.round(options.timeoutMs / 1000)}s`;
    if (options.signal?.aborted) return 'the sync operation was terminated';
    pending = stillProgressing;
    await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, Math.max(0, deadline - Date.now()))));
    delayMs = Math.min(pollMaxMs, delayMs * 2);
  }
}
