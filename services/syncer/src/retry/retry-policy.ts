import type { ArgoApplication } from '@tidewater/config';
import { parseDuration } from '../live-state/wait-for-health.ts';

/** Argo CD's backoff defaults for `syncPolicy.retry.backoff`. */
export const defaultRetryBackoff = { durationMs: 5_000, factor: 2, maxDurationMs: 180_000 } as const;

export interface RetryPolicy {
  /** Retries after the first failed attempt; -1 (any negative limit) retries without end. */
  limit: number;
  durationMs: number;
  factor: number;
  maxDurationMs: number;
}

/**
 * The Application's `syncPolicy.retry` as Argo CD reads it: no `retry` or `limit: 0` (also an absent limit) means
 * no retries; a negative limit retries forever. Durations are Go-style (`5s`, `1m30s`) or a number of seconds.
 * Returns `invalid` naming the field when a duration cannot be read.
 */
export function retryPolicyOf(application: ArgoApplication): RetryPolicy | { invalid: string } | undefined {
  const retry = application.spec.syncPolicy?.retry;
  if (!retry) return undefined;
  const limit = retry.limit ?? 0;
  if (limit === 0) return undefined;
  const name = application.metadata.name;
  const durationMs = durationOf(retry.backoff?.duration, defaultRetryBackoff.durationMs);
  const maxDurationMs = durationOf(retry.backoff?.maxDuration, defaultRetryBackoff.maxDurationMs);
  if (durationMs === undefined) return { invalid: `application ${name}: spec.syncPolicy.retry.backoff.duration is not a duration like "5s" or "2m"` };
  if (maxDurationMs === undefined) return { invalid: `application ${name}: spec.syncPolicy.retry.backoff.maxDuration is not a duration like "3m"` };
  const factor = retry.backoff?.factor ?? defaultRetryBackoff.factor;
  return { limit: limit < 0 ? -1 : limit, durationMs, factor: factor > 0 ? factor : defaultRetryBackoff.factor, maxDurationMs };
}

function durationOf(value: string | number | undefined, fallback: number): number | undefined {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'number') return value * 1_000;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value.trim()) * 1_000;
  return parseDuration(value);
}

/** Whether retry `attempt` (1 for the first retry) is allowed. */
export function retryAllowed(policy: RetryPolicy, attempt: number): boolean {
  return policy.limit < 0 || attempt <= policy.limit;
}

/** The delay before retry `attempt` (1-based): duration × factor^(attempt-1), at most maxDuration. */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  const delay = policy.durationMs * policy.factor ** Math.max(0, attempt - 1);
  return Math.min(delay, policy.maxDurationMs);
}

/** `attempt 2 of 5` (or `attempt 2 of unlimited`). */
export function describeAttempt(attempt: number, limit: number): string {
  return `attempt ${attempt} of ${limit < 0 ? 'unlimited' : limit}`;
}
