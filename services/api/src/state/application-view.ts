import type { ArgoApplication } from '@tidewater/config';
import type { AppState, StoredHistoryEntry } from '@tidewater/queues';
import type { Application, OperationState, ResourceStatus, RevisionHistory } from './application-schema.ts';

const automatedTriggers = new Set(['webhook', 'reconcile', 'self-heal']);

/** A history entry as Argo CD's `status.history[]` item (plus phase, trigger and message). */
export function revisionHistoryOf(entry: StoredHistoryEntry): RevisionHistory {
  return {
    id: entry.id, revision: entry.revision, deployedAt: entry.finishedAt, deployStartedAt: entry.startedAt,
    initiatedBy: { ...(entry.trigger.actor ? { username: entry.trigger.actor } : {}), automated: automatedTriggers.has(entry.trigger.kind) },
    phase: entry.phase, trigger: entry.trigger.kind, ...(entry.message ? { message: entry.message } : {}),
  };
}

const objectKey = (object: { group: string; kind: string; namespace?: string | undefined; name: string }) =>
  `${object.group}|${object.kind}|${object.namespace ?? ''}|${object.name}`;

/** The app's resources: what its latest sync touched, with health from the live state and drift marking OutOfSync. */
export function resourcesOf(state: AppState): ResourceStatus[] {
  const resources = new Map<string, ResourceStatus>();
  for (const object of state.sync?.objects ?? []) {
    if (object.outcome === 'pruned') continue;
    resources.set(objectKey(object), {
      group: object.group, kind: object.kind, ...(object.namespace ? { namespace: object.namespace } : {}), name: object.name,
      status: object.outcome === 'failed' ? 'OutOfSync' : 'Synced', outcome: object.outcome, ...(object.message ? { message: object.message } : {}),
    });
  }
  for (const object of state.health?.objects ?? []) {
    const key = objectKey(object);
    const existing = resources.get(key) ?? { group: object.group, kind: object.kind, ...(object.namespace ? { namespace: object.namespace } : {}), name: object.name, status: 'Synced' as const };
    resources.set(key, { ...existing, health: { status: object.status, ...(object.message ? { message: object.message } : {}) } });
  }
  if (state.drift?.outOfSync) {
    for (const drifted of state.drift.objects) {
      const existing = resources.get(objectKey(drifted.ref));
      if (existing) existing.status = 'OutOfSync';
    }
  }
  return [...resources.values()];
}

/** Sync status as Argo CD names it: Unknown before the first sync; OutOfSync after a failed sync or on drift. */
function syncStatusOf(state: AppState): Application['status']['sync'] {
  if (!state.sync || state.sync.phase === 'Superseded' && !state.health) return { status: 'Unknown', ...(state.sync ? { revision: state.sync.revision } : {}) };
  const outOfSync = state.sync.phase === 'Failed' || state.drift?.outOfSync === true;
  return { status: outOfSync ? 'OutOfSync' : 'Synced', revision: state.sync.revision };
}

/** An Application as Argo CD's API returns it: the configured spec and a status assembled from what the syncer recorded. */
export function applicationView(
  app: ArgoApplication, state: AppState,
  extra: { history?: readonly StoredHistoryEntry[]; operation?: OperationState; unreadableHistory?: number } = {},
): Application {
  const conditions = state.unreadable.map((record) => ({ type: 'UnreadableState', message: `${record.key}: ${record.problem}` }));
  if (state.sync?.phase === 'Failed' && state.sync.message) conditions.push({ type: 'SyncError', message: state.sync.message });
  if (extra.unreadableHistory) conditions.push({ type: 'UnreadableState', message: `${extra.unreadableHistory} history entries do not parse` });
  const { metadata } = app;
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: metadata.name,
      ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
      ...(metadata.labels ? { labels: metadata.labels } : {}),
      ...(metadata.annotations ? { annotations: metadata.annotations } : {}),
    },
    spec: app.spec as Application['spec'],
    status: {
      sync: syncStatusOf(state),
      health: state.health ? { status: state.health.status, ...(state.health.message ? { message: state.health.message } : {}) } : { status: state.sync ? 'Unknown' : 'Missing' },
      ...(extra.operation ? { operationState: extra.operation } : {}),
      history: (extra.history ?? []).filter((entry) => entry.phase !== 'Superseded').map(revisionHistoryOf).reverse(),
      resources: resourcesOf(state),
      ...(state.sync ? { reconciledAt: state.health?.updatedAt ?? state.sync.finishedAt } : {}),
      ...(state.pause ? { paused: { revision: state.pause.revision, ...(state.pause.by ? { by: state.pause.by } : {}), ...(state.pause.at ? { at: state.pause.at } : {}), ...(state.pause.reason ? { reason: state.pause.reason } : {}) } } : {}),
      conditions,
    },
  };
}
