/** Backoff of a sync that failed on cluster or Redis trouble: 1 s doubling per attempt, at most this much. */
export const maxOutageRetryDelayMs = 30_000;

/** The delay before the next attempt after `attempt` (1-based) failed attempts: 1 s × 2^(attempt-1), capped. */
export function outageRetryDelayMs(attempt: number): number {
  return Math.min(1_000 * 2 ** Math.max(0, attempt - 1), maxOutageRetryDelayMs);
}
