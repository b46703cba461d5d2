import type { Redis } from 'ioredis';
import { fluxDependencies, fluxReadinessOf, type ArgoApplication, type TidewaterConfig } from '@tidewater/config';
import { readDesiredRevision, redisKeys, StoredAppHealth, StoredSyncResult } from '@tidewater/queues';

/** What keeps an application from syncing now: each dependency that is not Ready, with why. */
export interface DependencyWait {
  waitingFor: Array<{ app: string; reason: string }>;
}

/** How long a sync waiting on its dependencies is delayed before it looks again. */
export const dependencyPollMs = 2_000;

async function readJson(redis: Redis, key: string): Promise<unknown> {
  const raw = await redis.get(key);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Flux's `dependsOn`: an application translated from a Kustomization syncs only once every Kustomization it
 * depends on is Ready at its newest revision: that application's last sync Succeeded at its desired revision (a
 * sync of a Kustomization with `wait` or `healthChecks` succeeds only once those are ready, see flux-readiness.ts),
 * and with `wait: true` (or no readiness rule) its live state is still Healthy at that revision. Undefined when
 * nothing is pending (also for every application without dependsOn).
 */
export async function pendingDependencies(redis: Redis, config: TidewaterConfig, application: ArgoApplication): Promise<DependencyWait | undefined> {
  const dependencies = fluxDependencies(application, config.applications);
  if (dependencies.length === 0) return undefined;
  const configured = new Map(config.applications.map((candidate) => [candidate.metadata.name, candidate]));
  const waitingFor: DependencyWait['waitingFor'] = [];
  for (const app of dependencies) {
    if (!configured.has(app)) {
      waitingFor.push({ app, reason: 'not in the configuration' });
      continue;
    }
    const sync = StoredSyncResult.safeParse(await readJson(redis, redisKeys.syncStatus(app)));
    if (!sync.success) {
      waitingFor.push({ app, reason: 'not synced yet' });
      continue;
    }
    if (sync.data.phase !== 'Succeeded') {
      waitingFor.push({ app, reason: `last sync ${sync.data.phase}` });
      continue;
    }
    const desired = await readDesiredRevision(redis, app).catch(() => undefined);
    if (desired && desired.revision !== sync.data.revision) {
      waitingFor.push({ app, reason: `revision ${desired.revision} not applied and ready yet` });
      continue;
    }
    const readiness = fluxReadinessOf(configured.get(app) as ArgoApplication);
    // wait: false — Ready once applied (with healthChecks, the sync itself waited for them before it Succeeded).
    if (readiness && !readiness.wait) continue;
    const health = StoredAppHealth.safeParse(await readJson(redis, redisKeys.appHealth(app)));
    if (!health.success || (health.data.revision !== undefined && health.data.revision !== sync.data.revision)) {
      waitingFor.push({ app, reason: 'health not assessed yet' });
    } else if (health.data.status !== 'Healthy') {
      waitingFor.push({ app, reason: `health ${health.data.status}` });
    }
  }
  return waitingFor.length > 0 ? { waitingFor } : undefined;
}

const lastReported = new Map<string, string>();

/** True when this wait differs from the one last reported for the app (so a 2 s poll logs once per change). */
export function isNewWait(app: string, wait: DependencyWait | undefined): boolean {
  const text = wait ? JSON.stringify(wait.waitingFor) : '';
  if (lastReported.get(app) === text) return false;
  if (text) lastReported.set(app, text);
  else lastReported.delete(app);
  return text !== '';
}
