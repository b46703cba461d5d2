import { ListWatch, Watch, type KubernetesListObject } from '@kubernetes/client-node';
import type { Logger } from '@tidewater/telemetry';
import type { ClusterClient } from '../clusters/cluster-registry.ts';
import { statusMessage } from '../clusters/api-status.ts';
import type { ResourceInfo } from '../discovery/resource-discovery.ts';
import type { LiveObject } from '../drift/live-comparison.ts';
import { newerVersion } from './resource-version.ts';

export type WatchPhase = 'starting' | 'ready' | 'failing';

export interface WatchStatus {
  phase: WatchPhase;
  /** When the watch entered this phase (ms since epoch). */
  since: number;
  /** A successful list filled the cache at least once. */
  listed: boolean;
  /** Why the watch is failing (never holds a credential). */
  reason?: string;
}

export type WatchEventKind = 'add' | 'update' | 'delete';

export interface ResourceWatchOptions {
  cluster: ClusterClient;
  resource: ResourceInfo;
  /** e.g. `tidewater.dev/app` (objects that carry the label, whatever its value). */
  labelSelector: string;
  logger: Logger;
  onEvent(kind: WatchEventKind, object: LiveObject): void;
  onStatus(status: WatchStatus): void;
  /** A watch silent this long is re-established (default 5 minutes; bookmarks keep a healthy one talking). */
  inactivityTimeoutMs?: number;
  /** First and longest delay before re-establishing a failed watch (default 500 ms, 30 s). */
  retryDelayMs?: { initial: number; max: number };
  /**
   * Watch namespaced resources in this namespace only (a syncer bound by a namespaced Role cannot list or watch
   * across the cluster; TIDEWATER_WATCH_NAMESPACE). Cluster-scoped resources are watched cluster-wide regardless.
   */
  namespace?: string;
}

/** One list+watch of one resource type on one cluster, with its cache of the objects it saw. */
export interface ResourceWatch {
  readonly resource: ResourceInfo;
  status(): WatchStatus;
  get(namespace: string | undefined, name: string): LiveObject | undefined;
  list(): readonly LiveObject[];
  /** The newest resourceVersion the watch has seen (list, event or bookmark). */
  latestResourceVersion(): string | undefined;
  /** Drops the connection as a network failure would (tests). */
  interrupt(): void;
  stop(): Promise<void>;
}

const listPageSize = 500;

/**
 * Wraps client-node's informer (ListWatch): it keeps the cache, lists again after 410 Gone and reconnects when the
 * server ends a watch. Failures it gives up on (connection refused, reset, 5xx on list) are retried here with
 * exponential backoff. Objects reach the callbacks as the API server sent them: the list goes through the
 * syncer's transport as raw JSON and watch events are parsed JSON, never re-serialised through client models.
 */
export function createResourceWatch(options: ResourceWatchOptions): ResourceWatch {
  const { cluster, resource, logger } = options;
  const base = resource.group ? `/apis/${resource.group}/${resource.version}` : `/api/${resource.version}`;
  const path = options.namespace && resource.namespaced
    ? `${base}/namespaces/${encodeURIComponent(options.namespace)}/${resource.resource}`
    : `${base}/${resource.resource}`;
  const apiVersion = resource.group ? `${resource.group}/${resource.version}` : resource.version;
  const retry = options.retryDelayMs ?? { initial: 500, max: 30_000 };
  const log = logger.child({ cluster: cluster.name, resource: resourceName(resource) });
  let status: WatchStatus = { phase: 'starting', since: Date.now(), listed: false };
  let stopped = false;
  let retryDelay = retry.initial;
  let retryTimer: NodeJS.Timeout | undefined;
  let latestVersion: string | undefined;
  let currentConnection: AbortController | undefined;

  function setStatus(next: Omit<WatchStatus, 'since' | 'listed'>) {
    if (next.phase === status.phase && next.reason === status.reason) return;
    // `since` marks when the watch entered the phase: a failing watch that keeps failing stays failing since then.
    status = { ...next, since: next.phase === status.phase ? status.since : Date.now(), listed: status.listed };
    options.onStatus(status);
  }

  async function listAll(): Promise<KubernetesListObject<LiveObject>> {
    const items: LiveObject[] = [];
    let continueToken: string | undefined;
    let resourceVersion = '';
    do {
      const query = new URLSearchParams({ labelSelector: options.labelSelector, limit: String(listPageSize) });
      if (continueToken) query.set('continue', continueToken);
      const response = await cluster.transport.request<KubernetesListObject<LiveObject> & { metadata?: { continue?: string } }>({
        method: 'GET', path: `${path}?${query}`,
      });
      if (response.status !== 200) {
        throw Object.assign(new Error(`list ${path} answered ${response.status}: ${statusMessage(response)}`), { statusCode: response.status });
      }
      for (const item of response.body.items ?? []) items.push({ ...item, apiVersion, kind: resource.kind });
      continueToken = response.body.metadata?.continue || undefined;
      resourceVersion = response.body.metadata?.resourceVersion ?? resourceVersion;
    } while (continueToken);
    latestVersion = newerVersion(latestVersion, resourceVersion);
    status = { ...status, listed: true };
    setStatus({ phase: 'ready' });
    retryDelay = retry.initial;
    return { apiVersion, kind: `${resource.kind}List`, items, metadata: { resourceVersion } };
  }

  const watch = new Watch(cluster.kubeConfig);
  (watch as unknown as { requestTimeoutMs: number }).requestTimeoutMs = options.inactivityTimeoutMs ?? 5 * 60_000;
  // Asks for bookmarks (so a quiet watch resumes from a recent resourceVersion) and notes when a connection is up.
  const bookmarkingWatch = {
    async watch(watchPath: string, query: Record<string, string | number | boolean | undefined>, callback: (phase: string, object: LiveObject) => void, done: (error: unknown) => void) {
      let ended = false;
      const controller = await watch.watch(watchPath, { ...query, allowWatchBookmarks: true }, (phase, object: LiveObject) => {
        const version = object?.metadata?.resourceVersion as string | undefined;
        if (phase !== 'ERROR' && version) latestVersion = newerVersion(latestVersion, version);
        callback(phase, object);
      }, (error: unknown) => {
        ended = true;
        done(error);
      });
      if (!ended && !stopped) {
        currentConnection = controller;
        if (status.listed) setStatus({ phase: 'ready' });
        retryDelay = retry.initial;
      }
      return controller;
    },
  } as unknown as Watch;

  const informer = new ListWatch<LiveObject>(path, bookmarkingWatch, listAll, false, options.labelSelector);
  informer.on('add', (object) => options.onEvent('add', object));
  informer.on('update', (object) => options.onEvent('update', object));
  informer.on('delete', (object) => options.onEvent('delete', object));
  informer.on('error', (error: unknown) => {
    if (stopped) return;
    const reason = describeWatchError(error);
    log.warn({ reason, retryInMs: retryDelay }, 'watch failed; re-establishing');
    setStatus({ phase: 'failing', reason });
    scheduleRestart();
  });

  function scheduleRestart() {
    if (stopped || retryTimer) return;
    const delay = retryDelay;
    retryDelay = Math.min(retryDelay * 2, retry.max);
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!stopped) void informer.start();
    }, delay);
    retryTimer.unref();
  }

  void informer.start();

  return {
    resource,
    status: () => status,
    get: (namespace, name) => informer.get(name, namespace),
    list: () => informer.list(),
    latestResourceVersion: () => newerVersion(latestVersion, informer.latestResourceVersion() || undefined),
    interrupt() {
      currentConnection?.abort(new Error('connection interrupted'));
    },
    async stop() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      await informer.stop();
    },
  };
}

/** `deployments.apps`, `configmaps`: how logs and events name a resource type. */
export function resourceName(resource: Pick<ResourceInfo, 'group' | 'resource'>): string {
  return resource.group ? `${resource.resource}.${resource.group}` : resource.resource;
}

function describeWatchError(error: unknown): string {
  if (!error) return 'connection closed';
  const failure = error as { message?: string; statusCode?: number; code?: string; cause?: { code?: string; message?: string } };
  const code = failure.cause?.code ?? failure.code;
  const message = failure.message ?? String(error);
  const detail = failure.cause?.message && failure.cause.message !== message ? `${message} (${failure.cause.message})` : message;
  return code && !detail.includes(code) ? `${code} ${detail}` : detail;
}
