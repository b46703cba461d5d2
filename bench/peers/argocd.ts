import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { freePort, startRedis, toolPath, waitFor, type RedisInstance, type TestCluster } from '../../test/harness/src/index.ts';
import { startProcess, type ManagedProcess } from '../../test/harness/src/process.ts';
import { runKubectl } from '../measure/kubectl.ts';
import { closePeerKubeClients, peerKubeClient, runningPeer, startUntilReady, type PeerKubeClient, type RunningPeer } from './kube.ts';
import { PeerFailure } from './peer-failure.ts';
import { argoCDPaths } from './versions.ts';

export const argoCDNamespace = 'argocd';
export const argoApplicationsPath = `/apis/argoproj.io/v1alpha1/namespaces/${argoCDNamespace}/applications`;

export type ArgoCDComponent = 'repo-server' | 'application-controller' | 'server';

export interface ArgoCDOptions {
  cluster: TestCluster;
  /** Logs, HOME and the TLS/SSH/GPG data directories of the components. */
  workDir: string;
  /**
   * Which components run (default the repo-server and application-controller; add `server` for its `/api/webhook`
   * endpoint, or run the server alone to measure that endpoint).
   */
  components?: readonly ArgoCDComponent[];
  /** `webhook.github.secret` in argocd-secret: the HMAC secret GitHub push webhooks are signed with. */
  githubWebhookSecret?: string;
  /** More flags per component, appended after the harness's own. */
  extraArgs?: Partial<Record<ArgoCDComponent, readonly string[]>>;
}

export interface ArgoCDPeer extends PeerKubeClient, RunningPeer {
  version: string;
  /** `http://127.0.0.1:<port>` of the API server (`--insecure`, auth disabled); the webhook is at `${serverUrl}/api/webhook`. */
  serverUrl: string;
  stop(): Promise<void>;
}

/**
 * Argo CD (built by scripts/setup-peers) against a harness cluster, as its own Procfile runs it out of a cluster: its
 * CRDs; the `argocd` namespace with the ConfigMaps and Secret of its core-install manifest (the same module);
 * the `default` AppProject; its own redis-server; then the repo-server (TLS off), the application-controller
 * (`ARGOCD_FAKE_IN_CLUSTER`: `https://kubernetes.default.svc` is the harness cluster, through the kubeconfig) and,
 * when asked, the API server (`--insecure`, auth off: only its webhook endpoint is used). Every setting not named
 * here is Argo CD's default (reconciliation every 120 s + up to 60 s jitter, self-heal backoff 2 s × 3^n, 20 status and
 * 10 operation processors). Components are the one `argocd` binary, picked by ARGOCD_BINARY_NAME, each its own process.
 */
export async function startArgoCD(options: ArgoCDOptions): Promise<ArgoCDPeer> {
  const paths = argoCDPaths();
  if (!existsSync(paths.builtStamp) || !existsSync(paths.bin)) throw new PeerFailure(`argo-cd ${paths.version}`, `not built (${paths.bin} is missing): run scripts/setup --peers`);
  const { cluster, workDir } = options;
  const kubectlCache = join(workDir, 'kubectl-cache');
  const home = join(workDir, 'argocd-home');
  const logDir = join(workDir, 'argocd-logs');
  const tmp = join(workDir, 'argocd-tmp'); // the repo-server's checkouts (os.TempDir()/_argocd-repo)
  const dataDirs = { ARGOCD_TLS_DATA_PATH: join(workDir, 'argocd-tls'), ARGOCD_SSH_DATA_PATH: join(workDir, 'argocd-ssh'), ARGOCD_GNUPGHOME: join(workDir, 'argocd-gpg') };
  for (const dir of [home, logDir, tmp, ...Object.values(dataDirs)]) mkdirSync(dir, { recursive: true });

  try {
    await runKubectl(['apply', '--server-side', '-f', paths.crdDir], { kubeconfig: cluster.kubeconfigPath, cacheDir: kubectlCache });
    // Right after the apply a CRD can have no status yet, which `kubectl wait` reports as an error: ask again.
    await waitFor('the Argo CD CRDs to be established', () => runKubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all'],
      { kubeconfig: cluster.kubeconfigPath, cacheDir: kubectlCache }).then(() => true, () => false), { timeoutMs: 60_000, intervalMs: 500 });
  } catch (error) {
    throw new PeerFailure('argo-cd', `its CRDs were not accepted: ${(error as Error).message}`);
  }
  await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: argoCDNamespace } });
  // The settings objects Argo CD's install ships (argocd-cm, argocd-rbac-cm, argocd-secret, …), as they are, plus
  // the API server's signing key and the GitHub webhook secret.
  for (const document of parseAllDocuments(readFileSync(paths.installManifest, 'utf8'))) {
    const object = document.toJS() as { kind?: string; metadata?: { name?: string; namespace?: string }; data?: Record<string, string> } | null;
    if (object?.kind !== 'ConfigMap' && object?.kind !== 'Secret') continue;
    object.metadata = { ...object.metadata, namespace: argoCDNamespace };
    if (object.kind === 'Secret' && object.metadata.name === 'argocd-secret') {
      const base64 = (value: string) => Buffer.from(value).toString('base64');
      object.data = {
        ...object.data, 'server.secretkey': base64(randomBytes(32).toString('hex')),
        ...(options.githubWebhookSecret ? { 'webhook.github.secret': base64(options.githubWebhookSecret) } : {}),
      };
    }
    await cluster.apply(object as Record<string, unknown>);
  }
  await cluster.apply({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'default', namespace: argoCDNamespace },
    spec: { sourceRepos: ['*'], destinations: [{ server: '*', namespace: '*' }], clusterResourceWhitelist: [{ group: '*', kind: '*' }] },
  });

  let redis: RedisInstance | undefined;
  const processes: Array<{ component: ArgoCDComponent; process: ManagedProcess }> = [];
  const stopAll = async () => {
    await Promise.all(processes.map(({ process }) => process.stop()));
    await redis?.stop();
  };
  try {
    redis = await startRedis();
    const redisAddress = `${redis.host}:${redis.port}`;
    // The repo-server runs `git`, `kustomize`, `helm` and the image's git-verify-wrapper.sh from PATH: the wrappers
    // beside the binary, the harness's pinned kustomize and helm, then the system's git.
    const path = [dirname(paths.bin), dirname(toolPath('kustomize')), dirname(toolPath('helm')), process.env.PATH ?? '/usr/bin:/bin'].join(':');
    const env = {
      KUBECONFIG: cluster.kubeconfigPath, HOME: home, PATH: path, ARGOCD_FAKE_IN_CLUSTER: 'true', ARGOCD_GPG_ENABLED: 'false',
      HOSTNAME: 'argocd-application-controller-0', TMPDIR: tmp, ...dataDirs,
    };
    const common = ['--loglevel', 'info', '--logformat', 'json'];
    // Each component is started and waited for in turn, its ports picked just before (startUntilReady).
    type Ports = { port: number; metrics: number };
    const start = async (component: ArgoCDComponent, argsWith: (ports: Ports) => string[], health: (ports: Ports) => string) => {
      const { process, result: ports } = await startUntilReady(`argo-cd ${component}`, async () => {
        const ports = { port: await freePort(), metrics: await freePort() };
        const process = startProcess(`argocd-${component}`, paths.bin, [...argsWith(ports), ...common, ...options.extraArgs?.[component] ?? []],
          { cwd: workDir, env: { ...env, ARGOCD_BINARY_NAME: `argocd-${component}` }, logDir });
        return { process, healthUrl: health(ports), result: ports };
      });
      processes.push({ component, process });
      return ports;
    };
    const wanted = new Set(options.components ?? ['repo-server', 'application-controller']);
    const repoServer = wanted.has('repo-server')
      ? await start('repo-server',
        ({ port, metrics }) => ['--port', String(port), '--metrics-port', String(metrics), '--redis', redisAddress],
        ({ metrics }) => `http://127.0.0.1:${metrics}/healthz`)
      : { port: await freePort() }; // nothing listens there: the server alone only answers webhooks
    const repoServerArgs = ['--repo-server', `127.0.0.1:${repoServer.port}`, '--redis', redisAddress, '--namespace', argoCDNamespace];
    if (wanted.has('application-controller')) {
      await start('application-controller',
        ({ metrics }) => ['--metrics-port', String(metrics), ...repoServerArgs],
        ({ metrics }) => `http://127.0.0.1:${metrics}/healthz`);
    }
    const server = wanted.has('server')
      ? await start('server',
        ({ port, metrics }) => ['--port', String(port), '--metrics-port', String(metrics), '--address', '127.0.0.1', '--insecure', '--disable-auth', ...repoServerArgs],
        ({ port }) => `http://127.0.0.1:${port}/healthz`)
      : undefined;

    return {
      version: paths.version,
      serverUrl: server ? `http://127.0.0.1:${server.port}` : '',
      // Redis is not counted: it is the harness's, and Tidewater's own Redis is not counted on its side either.
      ...runningPeer('argo-cd', processes.map(({ component, process }) => ({ name: component, process }))),
      ...peerKubeClient(cluster),
      async stop() {
        closePeerKubeClients();
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

export interface ArgoApplicationObject {
  metadata: { name: string; annotations?: Record<string, string> };
  status?: {
    sync?: { status?: string; revision?: string };
    health?: { status?: string };
    operationState?: { phase?: string; message?: string; syncResult?: { revision?: string } };
    conditions?: Array<{ type: string; message: string }>;
  };
}

/** An Application of the harness git repository `repoURL` at `path`, automated (prune; self-heal when asked), into `namespace`. */
export function argoApplication(name: string, options: { repoURL: string; path: string; namespace: string; selfHeal?: boolean }): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name, namespace: argoCDNamespace },
    spec: {
      project: 'default',
      source: { repoURL: options.repoURL, targetRevision: 'main', path: options.path },
      destination: { server: 'https://kubernetes.default.svc', namespace: options.namespace },
      syncPolicy: { automated: { prune: true, selfHeal: options.selfHeal ?? false }, syncOptions: ['CreateNamespace=true'] },
    },
  };
}

/** The Application's last sync operation succeeded at `sha` (every object applied). */
export function argoSyncedAt(app: ArgoApplicationObject, sha: string): boolean {
  const operation = app.status?.operationState;
  return operation?.phase === 'Succeeded' && operation.syncResult?.revision === sha;
}

/**
 * Polls the Applications `names` (one GET for one, one LIST for more) until every one's sync operation succeeded at
 * `sha`; on timeout (or a component exit) throws a PeerFailure with how many did, the first unsynced ones' sync state
 * and conditions, and the components' logs.
 */
export async function waitForArgoSynced(
  argo: ArgoCDPeer,
  names: string | readonly string[],
  sha: string,
  options: { timeoutMs: number; intervalMs?: number; progress?: (synced: number) => void },
): Promise<void> {
  const wanted = new Set(typeof names === 'string' ? [names] : names);
  let synced = 0;
  let pending: ArgoApplicationObject[] = [];
  let lastReport = performance.now();
  try {
    await waitFor(`${wanted.size} Argo CD Application(s) synced at ${sha.slice(0, 12)}`, async () => {
      argo.assertRunning();
      const apps = wanted.size === 1
        ? [await argo.get<ArgoApplicationObject>(`${argoApplicationsPath}/${[...wanted][0]}`)].filter((app): app is ArgoApplicationObject => app !== undefined)
        : ((await argo.get<{ items: ArgoApplicationObject[] }>(argoApplicationsPath))?.items ?? []).filter((app) => wanted.has(app.metadata.name));
      synced = apps.filter((app) => argoSyncedAt(app, sha)).length;
      pending = apps.filter((app) => !argoSyncedAt(app, sha));
      if (options.progress && performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        options.progress(synced);
      }
      return synced === wanted.size;
    }, { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 50 });
  } catch (error) {
    if (error instanceof PeerFailure) throw error;
    const describe = (app: ArgoApplicationObject) => {
      const status = app.status;
      return `${app.metadata.name}: sync ${status?.sync?.status ?? '?'} at ${status?.sync?.revision?.slice(0, 12) ?? '?'}, operation ${status?.operationState?.phase ?? 'none'}`
        + `${status?.operationState?.message ? `: ${status.operationState.message}` : ''}`
        + `${status?.conditions?.length ? `; ${status.conditions.map((condition) => `${condition.type}: ${condition.message}`).join('; ')}` : ''}`;
    };
    throw new PeerFailure('argo-cd application-controller', `${synced}/${wanted.size} Applications synced at ${sha.slice(0, 12)} within ${options.timeoutMs} ms`
      + `${pending.length ? ` (${pending.slice(0, 3).map(describe).join(' | ')})` : ''}\n${argo.tails()}`);
  }
}
