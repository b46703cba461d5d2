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
  /** Whether PrunePropagationPolicy was written (Tidewater's default differs from Argo CD's when it was not). */
  prunePropagationPolicyWritten: boolean;
  /** Entries that are not recognised (or, in a resource annotation, only valid on the Application), as written. */
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
  prunePropagationPolicyWritten: false,
  unrecognized: [],
};

type BooleanOption = Exclude<keyof SyncOptions, 'prunePropagationPolicy' | 'prunePropagationPolicyWritten' | 'unrecognized' | 'pruneConfirm' | 'deleteConfirm'>;

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

/** Options Argo CD reads only from the Application (or the sync operation), never from a resource's annotation. */
const applicationOnlyKeys: ReadonlySet<string> = new Set([
  'CreateNamespace', 'ApplyOutOfSyncOnly', 'FailOnSharedResource', 'PrunePropagationPolicy',
]);

const propagationPolicies = ['foreground', 'background', 'orphan'] as const;

interface OptionEntry {
  /** The entry as written, trimmed. */
  entry: string;
  key: string;
  /** Lower-cased value ('' when there is no `=`). */
  value: string;
}

function splitEntries(options?: readonly string[] | string): OptionEntry[] {
  const entries = typeof options === 'string' ? options.split(',') : (options ?? []);
  return entries.flatMap((rawEntry) => {
    const entry = rawEntry.trim();
    if (entry === '') return [];
    const separator = entry.indexOf('=');
    const key = separator === -1 ? entry : entry.slice(0, separator).trim();
    const value = separator === -1 ? '' : entry.slice(separator + 1).trim().toLowerCase();
    return [{ entry, key, value }];
  });
}

/** Applies one entry to `parsed`; false when the entry is not a valid option. */
function applyEntry(parsed: SyncOptions, { key, value }: OptionEntry): boolean {
  const field = Object.hasOwn(booleanKeys, key) ? booleanKeys[key] : undefined;
  if (field && (value === 'true' || value === 'false')) {
    parsed[field] = value === 'true';
    if (field === 'prune') parsed.pruneConfirm = false;
    if (field === 'delete') parsed.deleteConfirm = false;
    return true;
  }
  if ((key === 'Prune' || key === 'Delete') && value === 'confirm') {
    if (key === 'Prune') Object.assign(parsed, { prune: true, pruneConfirm: true });
    else Object.assign(parsed, { delete: true, deleteConfirm: true });
    return true;
  }
  if (key === 'PrunePropagationPolicy' && (propagationPolicies as readonly string[]).includes(value)) {
    parsed.prunePropagationPolicy = value as SyncOptions['prunePropagationPolicy'];
    parsed.prunePropagationPolicyWritten = true;
    return true;
  }
  return false;
}

/**
 * Parses Argo CD `Key=value` sync options. Accepts a list (`syncOptions`) or the comma-separated
 * annotation value (`Prune=false,PruneLast=true`); entries override `base` (an application's options
 * when reading a resource annotation). Keys are case-sensitive, as in Argo CD.
 */
export function parseSyncOptions(options?: readonly string[] | string, base: SyncOptions = defaultSyncOptions): SyncOptions {
  const parsed: SyncOptions = { ...base, unrecognized: [] };
  for (const entry of splitEntries(options)) {
    if (!applyEntry(parsed, entry)) parsed.unrecognized.push(entry.entry);
  }
  return parsed;
}

/**
 * A manifest's effective sync options: its `argocd.argoproj.io/sync-options` annotation over `applicationOptions`
 * (the application's, merged with the operation's). Application-only keys in the annotation are not applied, as
 * in Argo CD, and are listed in `unrecognized`.
 */
export function resourceSyncOptions(manifest: unknown, applicationOptions: SyncOptions = defaultSyncOptions): SyncOptions {
  const annotations = (manifest as { metadata?: { annotations?: Record<string, unknown> } } | null)?.metadata?.annotations;
  const value = annotations?.[syncOptionsAnnotation];
  const parsed: SyncOptions = { ...applicationOptions, unrecognized: [] };
  for (const entry of splitEntries(typeof value === 'string' ? value : undefined)) {
    if (applicationOnlyKeys.has(entry.key) || !applyEntry(parsed, entry)) parsed.unrecognized.push(entry.entry);
  }
  return parsed;
}

/** What a sync operation adds to the application's options (`argocd app sync --force --sync-option …`). */
export interface OperationSyncOptions {
  syncOptions?: readonly string[];
  /** The operation's `force` flag: same as `Force=true`. */
  force?: boolean;
}

/**
 * The options a sync runs with before per-resource annotations: the Application's `syncOptions`, then the
 * operation's (each entry overrides the same key), then the operation's `force` flag.
 */
export function applicationSyncOptions(application: { spec: { syncPolicy?: { syncOptions?: readonly string[] } } }, operation?: OperationSyncOptions): SyncOptions {
  const fromApplication = parseSyncOptions(application.spec.syncPolicy?.syncOptions);
  const merged = parseSyncOptions(operation?.syncOptions, fromApplication);
  merged.unrecognized = [...fromApplication.unrecognized, ...merged.unrecognized];
  if (operation?.force) merged.force = true;
  return merged;
}

/** A load-time finding about one entry of `spec.syncPolicy.syncOptions`. */
export interface SyncOptionFinding {
  /** Index of the entry in the list. */
  index: number;
  severity: 'error' | 'warning';
  detail: string;
}

/**
 * Checks an Application's sync options the way an operator needs before anything syncs: entries Tidewater does not
 * implement are warnings (naming the option), and combinations Argo CD refuses are errors.
 */
export function checkSyncOptions(options: readonly string[] | undefined): SyncOptionFinding[] {
  const findings: SyncOptionFinding[] = [];
  const firstByKey = new Map<string, { index: number; value: string }>();
  const parsed = { ...defaultSyncOptions, unrecognized: [] };
  const indexOf = new Map<string, number>();
  (options ?? []).forEach((raw, index) => {
    const [entry] = splitEntries([raw]);
    if (!entry) return;
    if (!applyEntry(parsed, entry)) {
      findings.push({ index, severity: 'warning', detail: `sync option ${entry.entry} is not supported and is ignored` });
      return;
    }
    const first = firstByKey.get(entry.key);
    if (first && first.value !== entry.value) {
      findings.push({
        index, severity: 'error',
        detail: `sync option ${entry.key} is set twice with different values (${first.value} at syncOptions[${first.index}], ${entry.value} here); keep one`,
      });
    }
    if (!first) firstByKey.set(entry.key, { index, value: entry.value });
    indexOf.set(`${entry.key}=${entry.value}`, index);
    if (entry.key === 'ServerSideApply' && entry.value === 'false') {
      findings.push({ index, severity: 'warning', detail: 'Tidewater always applies server-side (field manager tidewater); ServerSideApply=false is ignored' });
    }
    if (entry.key === 'Delete' && entry.value !== 'true') {
      findings.push({
        index, severity: 'warning',
        detail: `sync option ${entry.entry} has no effect: Tidewater does not delete an application's objects when the Application is removed`,
      });
    }
  });
  const forceIndex = indexOf.get('Force=true');
  if (parsed.force && parsed.serverSideApply && !parsed.replace && forceIndex !== undefined) {
    findings.push({
      index: forceIndex, severity: 'error',
      detail: 'Force=true cannot be combined with ServerSideApply=true (Argo CD refuses it: --force cannot be used with --server-side); add Replace=true to delete and re-create, or drop one of them',
    });
  }
  return findings;
}
