import type { KubernetesObject } from '@tidewater/queues';
import { isRetryableStatus, retryableStatusError } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { describeObject, type ObjectRef } from '../apply/object-ref.ts';
import { resourcePath } from '../apply/resource-path.ts';
import type { PlannedObject } from '../apply/sync-plan.ts';
import type { HookState } from './hook-completion.ts';

export type HookWaitOutcome =
  | { kind: 'finished'; state: Extract<HookState, { done: true }> }
  | { kind: 'timeout'; lastMessage: string }
  | { kind: 'aborted' }
  | { kind: 'gone' };

const pollStartMs = 200;
const pollMaxMs = 2_000;

/** Reads the hook until it has finished, is gone, the deadline passes or the signal aborts (polling with backoff). */
export async function waitForHook(
  transport: KubeTransport,
  planned: Pick<PlannedObject, 'ref' | 'info'>,
  options: { timeoutMs: number; signal?: AbortSignal; stateOf: (ref: Pick<ObjectRef, 'group' | 'kind'>, live: KubernetesObject) => HookState },
): Promise<HookWaitOutcome> {
  const deadline = Date.now() + options.timeoutMs;
  const path = resourcePath(planned.ref, planned.info);
  let delayMs = pollStartMs;
  let lastMessage = 'not read yet';
  for (;;) {
    if (options.signal?.aborted) return { kind: 'aborted' };
    const live = await transport.request<KubernetesObject>({ method: 'GET', path });
    if (live.status === 404) return { kind: 'gone' };
    if (isRetryableStatus(live.status)) throw retryableStatusError(transport.clusterName, live, `reading hook ${describeObject(planned.ref)}`);
    if (live.status === 200) {
      const state = options.stateOf(planned.ref, live.body);
      if (state.done) return { kind: 'finished', state };
      lastMessage = state.message ?? 'running';
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) return { kind: 'timeout', lastMessage };
    await sleep(Math.min(delayMs, remaining), options.signal);
    delayMs = Math.min(pollMaxMs, Math.round(delayMs * 1.5));
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
