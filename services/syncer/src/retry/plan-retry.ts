import { isAutomatedSync, type ArgoApplication } from '@tidewater/config';
import type { ObjectResult, SyncJob, SyncRetryState } from '@tidewater/queues';
import { describeAttempt, retryAllowed, retryDelayMs, retryPolicyOf } from './retry-policy.ts';
import { describeCondition, retryConditionsOf, type RetryCondition } from './retry-waits.ts';

export interface RetryDecision {
  /** The failure as status and history show it, with where the app stands in its retries. */
  message: string;
  state?: SyncRetryState;
  /** When the next timed retry runs; absent: none is scheduled. */
  retryAt?: Date;
  /** What a prompt retry waits for (automated apps only). */
  conditions: RetryCondition[];
}

/**
 * What follows a sync whose apply failed: automated syncs are retried on `syncPolicy.retry`'s schedule (none without
 * it, as in Argo CD) and, whatever the schedule, as soon as a missing namespace or CRD appears. An operator's sync
 * request and a terminated sync are not retried; neither is a sync refused before anything was applied (the project
 * refuses it, its bundle is gone): retrying cannot change that, a new commit or configuration can.
 */
export function planRetry(input: {
  application: ArgoApplication;
  data: Pick<SyncJob, 'retryAttempt'>;
  objects: readonly ObjectResult[];
  message: string;
  operation: boolean;
  terminated: boolean;
  now?: Date;
}): RetryDecision {
  const { application, message } = input;
  if (input.operation || input.terminated || !isAutomatedSync(application)) return { message, conditions: [] };
  const conditions = retryConditionsOf(input.objects, message);
  const waitingFor = conditions.map(describeCondition);
  const waitNote = waitingFor.length > 0 ? `; retried as soon as ${waitingFor.join(' or ')} appears` : '';
  const policy = retryPolicyOf(application);
  if (!policy) return { message: `${message}${waitNote}`, conditions };
  if ('invalid' in policy) return { message: `${message}; not retried: ${policy.invalid}${waitNote}`, conditions };
  const done = input.data.retryAttempt ?? 0;
  const current = done > 0 ? ` (retry ${describeAttempt(done, policy.limit)})` : '';
  const next = done + 1;
  if (!retryAllowed(policy, next)) {
    return {
      message: `${message}${current}; no retries left (limit ${policy.limit})${waitNote}`,
      state: { attempt: done, limit: policy.limit, ...(waitingFor.length > 0 ? { waitingFor } : {}) },
      conditions,
    };
  }
  const retryAt = new Date((input.now ?? new Date()).getTime() + retryDelayMs(policy, next));
  return {
    message: `${message}${current}; retry ${describeAttempt(next, policy.limit)} at ${retryAt.toISOString()}${waitNote}`,
    state: { attempt: done, limit: policy.limit, nextAttemptAt: retryAt.toISOString(), ...(waitingFor.length > 0 ? { waitingFor } : {}) },
    retryAt,
    conditions,
  };
}
