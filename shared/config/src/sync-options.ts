/** Argo CD sync options, read from `spec.syncPolicy.syncOptions` or a resource's sync-options annotation. */
export interface SyncOptions {
  /** `CreateNamespace=true`: create the destination namespace if missing. */
  createNamespace: boolean;
  /** `ServerSideApply=true` (Tidewater always applies server-side; this records the user's intent). */
  serverSideApply: boolean;
  /** `PruneLast=true`: prune after every other wave has been applied and is healthy. */
  pruneLast: boolean;
  /** `ApplyOutOfSyncOnly=true`: skip objects already in sync. */
  applyOutOfSyncOnly: boolean;
  /** `Prune=false` keeps the object when it leaves Git (default true). */
  prune: boolean;
  /** `Prune=confirm`: pruning waits for a manual confirmation. */
  pruneConfirm: boolean;
  /** `Delete=false` keeps the object when the application is deleted (default true). */
  delete: boolean;
  /** `Delete=confirm`: deletion waits for a manual confirmation. */
  deleteConfirm: boolean;
  /** `Validate=false` skips schema validation (default true). */
  validate: boolean;
  /** `Replace=true`: replace instead of apply. */
  replace: boolean;
  /** `Force=true`: delete and re-create when an apply fails. */
  force: boolean;
  /** `RespectIgnoreDifferences=true`: keep ignored fields as they are live when syncing. */
  respectIgnoreDifferences: boolean;
  /** `FailOnSharedResource=true`: fail when an object is already managed by another application. */
  failOnSharedResource: boolean;
  /** `SkipDryRunOnMissingResource=true`: do not dry-run kinds whose CRD is not installed yet. */
  skipDryRunOnMissingResource: boolean;
  /** `PrunePropagationPolicy=foreground|background|orphan` (default foreground). */
  prunePropagationPolicy: 'foreground' | 'background' | 'orphan';
  /** Entries that are not recognised, as written, so the caller can warn about them. */
  unrecognized: string[];
}

export const syncOptionsAnnotation = 'argocd.argoproj.io/sync-options';

const defaultSyncOptions: SyncOptions = {
  createNamespace: false,
  serverSideApply: false,
  pruneLast: false,
  applyOutOfSyncOnly: false,
  prune: true,
  pruneConfirm: false,
  delete: true,
  deleteConfirm: false,
  validate: true,
  replace: false,
  force: false,
  respectIgnoreDifferences: false,
  failOnSharedResource: false,
  skipDryRunOnMissingResource: false,
  prunePropagationPolicy: 'foreground',
  unrecognized: [],
};

type BooleanOption = Exclude<keyof SyncOptions, 'prunePropagationPolicy' | 'unrecognized' | 'pruneConfirm' | 'deleteConfirm'>;

const booleanKeys: Record<string, BooleanOption> = {
  CreateNamespace: 'createNamespace',
  ServerSideApply: 'serverSideApply',
  PruneLast: 'pruneLast',
  ApplyOutOfSyncOnly: 'applyOutOfSyncOnly',
  Prune: 'prune',
  Delete: 'delete',
  Validate: 'validate',
  Replace: 'replace',
  Force: 'force',
  RespectIgnoreDifferences: 'respectIgnoreDifferences',
  FailOnSharedResource: 'failOnSharedResource',
  SkipDryRunOnMissingResource: 'skipDryRunOnMissingResource',
};

const propagationPolicies = ['foreground', 'background', 'orphan'] as const;

/**
 * Parses Argo CD `Key=value` sync options. Accepts a list (`syncOptions`) or the comma-separated
 * annotation value (`Prune=false,PruneLast=true`); entries override `base` (an application's options
 * when reading a resource annotation). Keys are case-sensitive, as in Argo CD.
 */
export function parseSyncOptions(options?: readonly string[] | string, base: SyncOptions = defaultSyncOptions): SyncOptions {
  const parsed: SyncOptions = { ...base, unrecognized: [] };
  const entries = typeof options === 'string' ? options.split(',') : (options ?? []);
  for (const rawEntry of entries) {
    const entry = rawEntry.trim();
    if (entry === '') continue;
    const separator = entry.indexOf('=');
    const key = separator === -1 ? entry : entry.slice(0, separator).trim();
    const value = separator === -1 ? '' : entry.slice(separator + 1).trim().toLowerCase();
    const field = Object.hasOwn(booleanKeys, key) ? booleanKeys[key] : undefined;
    if (field && (value === 'true' || value === 'false')) {
      parsed[field] = value === 'true';
      if (field === 'prune') parsed.pruneConfirm = false;
      if (field === 'delete') parsed.deleteConfirm = false;
    } else if ((key === 'Prune' || key === 'Delete') && value === 'confirm') {
      if (key === 'Prune') Object.assign(parsed, { prune: true, pruneConfirm: true });
      else Object.assign(parsed, { delete: true, deleteConfirm: true });
    } else if (key === 'PrunePropagationPolicy' && (propagationPolicies as readonly string[]).includes(value)) {
      parsed.prunePropagationPolicy = value as SyncOptions['prunePropagationPolicy'];
    } else {
      parsed.unrecognized.push(entry);
    }
  }
  return parsed;
}

/** A manifest's effective sync options: its `argocd.argoproj.io/sync-options` annotation over the application's. */
export function resourceSyncOptions(manifest: unknown, applicationOptions: SyncOptions = defaultSyncOptions): SyncOptions {
  const annotations = (manifest as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations;
  const value = annotations?.[syncOptionsAnnotation];
  return parseSyncOptions(typeof value === 'string' ? value : undefined, applicationOptions);
}
