import type { Redis } from 'ioredis';
import type { ArgoApplication } from '@tidewater/config';
import { readDesiredRevision, redisKeys, type AppHealth } from '@tidewater/queues';

/** Application annotation: after applying, the sync waits this long (`120s`, `2m`, `1m30s`) for the app to be Healthy. */
export const waitForHealthAnnotation = 'tidewater.dev/wait-for-health';

const defaultWaitMs = 5 * 60_000;
const units: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Go-style duration (`90s`, `1m30s`, `500ms`) in ms; undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) total += Number(match[1]) * units[match[2]];
  return total;
}

/**
 * How long a sync of this application waits for health: the annotation's duration (`"true"` means 5 minutes),
 * undefined when the annotation is absent, empty or `"false"`. A value that is not a duration is a config error.
 */
export function healthWaitOf(application: ArgoApplication): { timeoutMs: number } | { invalid: string } | undefined {
  const value = application.metadata.annotations?.[waitForHealthAnnotation];
  if (value === undefined || value.trim() === '' || value.trim() === 'false') return undefined;
  if (value.trim() === 'true') return { timeoutMs: defaultWaitMs };
  const timeoutMs = parseDuration(value);
  return timeoutMs === undefined
    ? { invalid: `annotation ${waitForHealthAnnotation} of application ${application.metadata.name} is "${value}", not a duration like "120s" or "true"` }
    : { timeoutMs };
}

export type HealthWaitOutcome =
  | { result: 'healthy'; health: AppHealth }
  | { result: 'unhealthy'; reason: string; health?: AppHealth }
  | { result: 'superseded'; revision: string };

export interface HealthWaitInput {
  redis: Redis;
  app: string;
  revision: string;
  timeoutMs: number;
  /** Poll interval (default 250 ms). */
  intervalMs?: number;
  signal?: AbortSignal;
}

/**
 * Waits, outside the application's sync lock, until the live-state watcher reports the app at `revision` Healthy
 * (or Suspended), Degraded, or the deadline passes. A newer desired revision ends the wait: its sync takes over.
 */
export async function waitForAppHealth(input: HealthWaitInput): Promise<HealthWaitOutcome> {
  const deadline = Date.now() + input.timeoutMs;
  const intervalMs = input.intervalMs ?? 250;
  let last: AppHealth | undefined;
  for (;;) {
    const desired = await readDesiredRevision(input.redis, input.app);
    if (desired && desired.revision !== input.revision) return { result: 'superseded', revision: desired.revision };
    const raw = await input.redis.get(redisKeys.appHealth(input.app));
    const health = raw ? (JSON.parse(raw) as AppHealth) : undefined;
    if (health?.revision === input.revision) {
      last = health;
      if (health.status === 'Healthy' || health.status === 'Suspended') return { result: 'healthy', health };
      if (health.status === 'Degraded') {
        return { result: 'unhealthy', reason: `application ${input.app} is Degraded${health.message ? `: ${health.message}` : ''}`, health };
      }
    }
    if (Date.now() >= deadline || input.signal?.aborted) {
      const seconds = Math.round(input.timeoutMs / 1_000);
      const state = last ? `${last.status}${last.message ? `: ${last.message}` : ''}` : 'no health reported for this revision';
      return { result: 'unhealthy', reason: `application ${input.app} did not become Healthy within ${seconds}s (last: ${state})`, ...(last ? { health: last } : {}) };
    }
    await new Promise((resolveLater) => setTimeout(resolveLater, Math.min(intervalMs, Math.max(0, deadline - Date.now()))));
  }
}
