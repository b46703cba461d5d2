import type { Redis } from 'ioredis';
import type { ArgoApplication } from '@tidewater/config';
import { readAppStates, type StoredPromotion } from '@tidewater/queues';

/** What the syncer last recorded of an Application (sync operation, health), as the pipeline judges it. */
export interface AppObservation {
  app: string;
  syncPhase?: string;
  syncRevision?: string;
  syncFinishedAt?: string;
  health?: string;
  healthRevision?: string;
  healthUpdatedAt?: string;
}

export interface HealthVerdict {
  healthy: boolean;
  reason: string;
  apps: AppObservation[];
}

/** Whether `ancestor` is `descendant` or one of its ancestors in the repository (the promoter's clone answers). */
export type IsAncestor = (repoURL: string, branch: string, ancestor: string, descendant: string) => Promise<boolean>;

/** The syncer's records of the apps (its Redis keys, parsed with their schemas). */
export async function observeApps(redis: Redis, apps: readonly string[]): Promise<AppObservation[]> {
  const states = await readAppStates(redis, apps);
  return states.map((state) => ({
    app: state.app,
    ...(state.sync ? { syncPhase: state.sync.phase, syncRevision: state.sync.revision, syncFinishedAt: state.sync.finishedAt } : {}),
    ...(state.health ? { health: state.health.status, ...(state.health.revision ? { healthRevision: state.health.revision } : {}), healthUpdatedAt: state.health.updatedAt } : {}),
  }));
}

/**
 * Synced and healthy *after the promotion's own sync*: each Application's last sync succeeded at a revision that
 * contains what the promotion pushed to its repository, and its health was observed at that same revision. A
 * Healthy recorded for an earlier revision (before the promotion's change was applied) does not count.
 */
export async function healthyAfterPromotion(deps: { redis: Redis; isAncestor: IsAncestor }, applications: readonly ArgoApplication[], promotion: StoredPromotion): Promise<HealthVerdict> {
  const apps = await observeApps(deps.redis, applications.map((application) => application.metadata.name));
  for (const application of applications) {
    const name = application.metadata.name;
    const observed = apps.find((candidate) => candidate.app === name);
    if (!observed?.syncRevision) return { healthy: false, reason: `${name} has not synced yet`, apps };
    const pushed = promotion.revisions.find((entry) => entry.repoURL === application.spec.source?.repoURL);
    if (pushed && observed.syncRevision !== pushed.revision && !(await deps.isAncestor(pushed.repoURL, pushed.branch, pushed.revision, observed.syncRevision))) {
      return { healthy: false, reason: `${name} has not synced the promoted revision ${pushed.revision.slice(0, 12)} yet (last sync ${observed.syncRevision.slice(0, 12)})`, apps };
    }
    if (observed.syncPhase !== 'Succeeded') return { healthy: false, reason: `${name}'s sync of ${observed.syncRevision.slice(0, 12)} ${observed.syncPhase}`, apps };
    if (observed.healthRevision !== undefined && observed.healthRevision !== observed.syncRevision) {
      return { healthy: false, reason: `${name}'s health is not yet observed at ${observed.syncRevision.slice(0, 12)}`, apps };
    }
    if (observed.health !== 'Healthy') return { healthy: false, reason: `${name} is ${observed.health ?? 'Unknown'}`, apps };
  }
  return { healthy: true, reason: 'synced and healthy after the promotion', apps };
}
