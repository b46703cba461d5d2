/**
 * Redis keys shared across service boundaries. Values are JSON strings unless noted.
 * Everything else a service keeps in Redis is private to it and named `tidewater:<service>:…`.
 */
export const redisKeys = {
  /** The newest commit wanted for an app: `{ revision, at }`; older render/sync jobs for the app are superseded. */
  desiredRevision: (app: string) => `tidewater:app:${app}:desired`,
  /** Repository paths the app's last render read (its path and, e.g., kustomize bases outside it): a Redis SET. */
  sourcePaths: (app: string) => `tidewater:app:${app}:source-paths`,
  /** A rendered bundle: `RenderedBundle` JSON. */
  bundle: (cacheKey: string) => `tidewater:bundle:${cacheKey}`,
  /** Last sync result: `SyncResult` JSON. */
  syncStatus: (app: string) => `tidewater:app:${app}:sync`,
  /** Current health of an app: `AppHealth` JSON (written by the syncer's live-state watcher). */
  appHealth: (app: string) => `tidewater:app:${app}:health`,
  /** Drift of an app: `AppDrift` JSON, `{ outOfSync, objects: [{ ref, fields }] , detectedAt }`. */
  appDrift: (app: string) => `tidewater:app:${app}:drift`,
  /** Last N syncs of an app, newest first: a Redis LIST of `SyncHistoryEntry` JSON. */
  history: (app: string) => `tidewater:app:${app}:history`,
  /**
   * Set while automated sync of an app is paused (after a rollback): `{ revision, by, at, reason }` JSON.
   * A new commit for the app or an operator's resume clears it; reconcile and auto-sync leave a paused app alone.
   */
  paused: (app: string) => `tidewater:app:${app}:paused`,
  /** Revisions pushed for an app (written by the gateway, read by rollback/resume): a sorted set, score = first sighting. */
  pushedRevisions: (app: string) => `tidewater:app:${app}:pushed`,
  /**
   * The last good set of an ApplicationSet with a git generator, as the renderer evaluated it:
   * `GeneratedApplicationSet` JSON (generated-set.ts). Other services merge it into their config view.
   */
  generatedApplicationSet: (name: string) => `tidewater:appset:${name}:generated`,
  /** Webhook delivery ids seen recently (dedupe, with TTL). */
  delivery: (provider: string, deliveryId: string) => `tidewater:delivery:${provider}:${deliveryId}`,
} as const;

export { eventsStreamKey as eventsStream } from '@tidewater/events';
