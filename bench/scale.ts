import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { stringify } from 'yaml';
import { defaultSecretDirs, loadConfigDir, secretScopeVariables, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, readAllEvents } from '@tidewater/events';
import { queueNames, redisKeys, type SyncResult } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { startAll } from '@tidewater/tide';
import { makeWorkDir, startCluster, startGitServer, startRedis, toolPath, waitFor } from '../test/harness/src/index.ts';
import { runKubectl } from './measure/kubectl.ts';
import { machineLine } from './measure/machine.ts';
import { fixed, printTable } from './measure/table.ts';
import { argoApplication, argoApplicationsPath, startArgoCD, waitForArgoSynced, type ArgoApplicationObject, type ArgoCDPeer } from './peers/argocd.ts';
import { startFlux, type FluxPeer } from './peers/flux.ts';
import { idleCpuPercent } from './peers/kube.ts';
import { githubReceiver, gitRepository, kustomization as fluxKustomization, kustomizationsPath, receiverSecret, receiversPath, type FluxObject } from './peers/flux-objects.ts';
import { waitForFluxApplied } from './peers/flux-wait.ts';
import { startGitHttpServer } from './peers/git-http-server.ts';
import { PeerFailure } from './peers/peer-failure.ts';
import type { GitServer, TestCluster } from '../test/harness/src/index.ts';

export const description = '1,000 Kustomize apps in one repository: cold sync, one-app push, idle CPU (disk cache)';

const appCount = Number(process.env.BENCH_SCALE_APPS ?? 1000);
const namespaceCount = 10;
const renderConcurrency = Number(process.env.TIDEWATER_RENDER_CONCURRENCY ?? 8);
const syncConcurrency = Number(process.env.SYNC_CONCURRENCY ?? 8);
const reconcileIntervalMs = Number(process.env.BENCH_SCALE_RECONCILE_MS ?? 30_000);
const idleSeconds = Number(process.env.BENCH_SCALE_IDLE_S ?? 60);
/** Flux's Kustomization interval: 10 m, what Flux's own guides use (Tidewater reconciles every 30 s, above). */
const fluxInterval = process.env.BENCH_SCALE_FLUX_INTERVAL ?? '10m';
/**
 * Which peers run after Tidewater, one after the other on the same control plane and git server (`flux`, `argocd`;
 * default both). Flux at 1,000 apps takes most of an hour (see docs/benchmarks.md), so each can be run on its own.
 */
const scalePeers = new Set((process.env.BENCH_SCALE_PEERS ?? 'flux,argocd').split(',').map((peer) => peer.trim()).filter(Boolean));
for (const peer of scalePeers) if (peer !== 'flux' && peer !== 'argocd') throw new Error(`BENCH_SCALE_PEERS: unknown peer ${peer} (flux, argocd)`);

const appName = (index: number) => `app-${String(index).padStart(4, '0')}`;
const namespaceOf = (index: number) => `bench-scale-${index % namespaceCount}`;

/** One app's files: a kustomization over a ConfigMap, a ServiceAccount, a Service and a Deployment. */
function appFiles(index: number, value: string): Record<string, string> {
  const name = appName(index);
  const labels = { 'app.kubernetes.io/name': name };
  const objects = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name}-config` }, data: { value } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
      spec: {
        replicas: 1, selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: { serviceAccountName: name, containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0', ports: [{ containerPort: 8080 }] }] } },
      },
    },
  ];
  const dir = `apps/${name}`;
  return {
    [`${dir}/kustomization.yaml`]: stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['objects.yaml'], commonLabels: { team: 'bench' } }),
    [`${dir}/objects.yaml`]: objects.map((object) => stringify(object)).join('---\n'),
  };
}

function applicationDocument(index: number, repoURL: string): string {
  return stringify({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: appName(index) },
    spec: {
      project: 'default',
      source: { repoURL, targetRevision: 'main', path: `apps/${appName(index)}` },
      destination: { server: 'https://kubernetes.default.svc', namespace: namespaceOf(index) },
      syncPolicy: { automated: { prune: true } },
    },
  });
}

/**
 * 1,000 small Kustomize Applications in one repository, `tide all` in this process on the renderer's default disk
 * cache, real Redis, git daemon (pushes delivered as signed GitHub webhooks) and kube-apiserver:
 * cold: one push adds all apps → every app rendered and applied; one push touching one app → that app applied,
 * and the reconcile rounds after it re-render none of the others; then Tidewater's CPU while idle.
 */
export async function run(): Promise<void> {
  const work = makeWorkDir('bench-scale');
  const [redisServer, cluster, git] = await Promise.all([startRedis(), startCluster({ name: 'bench-scale' }), startGitServer()]);
  const redis = new Redis(redisServer.url);
  const repo = git.createRepo('platform/fleet');
  const secretEnv = `TIDEWATER_SECRET_BENCH_SCALE_WEBHOOK_${randomBytes(4).toString('hex').toUpperCase()}`;
  const webhookSecret = randomBytes(20).toString('hex');
  process.env[secretEnv] = webhookSecret;
  // Secret references reach only TIDEWATER_SECRET_* variables and files under TIDEWATER_SECRET_DIRS: add the kubeconfig's.
  const secretDirsBefore = process.env[secretScopeVariables.dirs];
  process.env[secretScopeVariables.dirs] = [secretDirsBefore || defaultSecretDirs.join(':'), dirname(cluster.kubeconfigPath)].join(':');
  const configDir = join(work.dir, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'platform.yaml'), [
    stringify({ apiVersion: 'tidewater.dev/v1alpha1', kind: 'Repository', metadata: { name: 'fleet' }, spec: { url: repo.url, webhookSecretRef: { env: secretEnv } } }),
    stringify({ apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'in-cluster' }, spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } } }),
  ].join('---\n'));
  writeFileSync(join(configDir, 'applications.yaml'), Array.from({ length: appCount }, (_, index) => applicationDocument(index, repo.url)).join('---\n'));
  const config: TidewaterConfig = await loadConfigDir(configDir);
  for (let index = 0; index < namespaceCount; index += 1) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-scale-${index}` } });

  // The renderer's default cache is on disk (~/.cache/tidewater/renderer); this run uses a fresh directory on the same disk.
  const cacheDir = join(work.dir, 'renderer-cache');
  const tidewater = await startAll({
    redisUrl: redisServer.url, config: () => config, port: 0, cacheDir,
    auditDir: join(work.dir, 'audit'), auditPort: 0,
    tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
    renderConcurrency, syncConcurrency, reconcileIntervalMs,
    logger: createLogger('bench-scale', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' }),
  });
  repo.setWebhook({ url: `${tidewater.gatewayUrl}/webhooks/git/github`, secret: webhookSecret });

  let coldMs = 0;
  let onePushMs = 0;
  let idleCpuPct = 0;
  let freshRendersAfterPush = 0;
  let expectedFresh = 1;
  let onePushBehindReconcileMs: number | undefined;
  let reconcileBacklog = 0;
  let reusedAfterPush = 0;
  let flux: PeerScale | undefined;
  let argo: PeerScale | undefined;
  try {
    try {
      console.log(machineLine());
      console.log(`scale: ${appCount} Kustomize applications × 4 objects in one repository (${Object.keys(appFiles(0, 'x')).length * appCount} files), `
        + `render concurrency ${renderConcurrency}, sync concurrency ${syncConcurrency}, reconcile every ${reconcileIntervalMs / 1000} s (+ up to a third), renderer cache on disk`);

      // Cold: one push adds every app.
      const coldStart = performance.now();
      const files = Object.assign({}, ...Array.from({ length: appCount }, (_, index) => appFiles(index, 'v1')));
      const cold = await repo.commit(files, `add ${appCount} applications`);
      await waitForAllSynced(redis, cold.sha, 3_600_000, (synced) => console.log(`  cold: ${synced}/${appCount} synced after ${fixed((performance.now() - coldStart) / 1000, 0)} s`));
      coldMs = performance.now() - coldStart;
      await verifyObjects(cluster.kubeconfigPath, join(work.dir, 'kubectl-cache'));

      // One push touching one app.
      const touched = Math.floor(appCount / 2);
      const pushStart = performance.now();
      const push = await repo.commit(appFiles(touched, 'v2'), `change ${appName(touched)}`);
      await waitFor(`${appName(touched)} to sync ${push.sha.slice(0, 12)}`, async () => {
        const status = await readStatus(redis, appName(touched));
        return status?.revision === push.sha && status.phase === 'Succeeded';
      }, { timeoutMs: 600_000, intervalMs: 20 });
      onePushMs = performance.now() - pushStart;

      // The reconcile round after the push queues the other apps' renders. A second one-app push while that backlog
      // waits must not queue behind it (reconcile work carries a lower priority).
      const backlogTarget = Math.min(200, Math.floor(appCount / 5));
      const queueConnection = redis.duplicate();
      const renderQueue = new Queue(queueNames.render, { connection: queueConnection });
      const backlog = await waitFor('a reconcile backlog in the render queue', async () => {
        const counts = await renderQueue.getJobCounts('prioritized');
        return counts.prioritized >= backlogTarget ? counts.prioritized : undefined;
      }, { timeoutMs: 180_000, intervalMs: 50 }).catch(() => undefined);
      await renderQueue.close();
      queueConnection.disconnect();
      let head = push.sha;
      if (backlog !== undefined) {
        const second = touched + 1;
        const behindStart = performance.now();
        const behind = await repo.commit(appFiles(second, 'v2'), `change ${appName(second)}`);
        await waitFor(`${appName(second)} to sync ${behind.sha.slice(0, 12)}`, async () => {
          const status = await readStatus(redis, appName(second));
          return status?.revision === behind.sha && status.phase === 'Succeeded';
        }, { timeoutMs: 600_000, intervalMs: 20 });
        onePushBehindReconcileMs = performance.now() - behindStart;
        reconcileBacklog = backlog;
        head = behind.sha;
      }

      // The reconcile rounds bring every other app to the head: no render of theirs may run again.
      await waitForAllSynced(redis, head, 1_800_000, (synced) => console.log(`  after the pushes: ${synced}/${appCount} at the new head (reconcile)`));
      const pushed = new Set([push.sha, head]);
      const renders = (await readAllEvents(redis, 1_000_000)).filter((event) => event.type === eventTypes.renderSucceeded && pushed.has(String(event.data.revision)));
      freshRendersAfterPush = renders.filter((event) => event.data.cached === false).length;
      reusedAfterPush = renders.filter((event) => event.data.cached === true).length;
      expectedFresh = pushed.size;

      // Idle: Tidewater (this process) with nothing to do but its reconcile rounds and watches.
      const cpuStart = process.cpuUsage();
      const wallStart = performance.now();
      await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
      const cpu = process.cpuUsage(cpuStart);
      idleCpuPct = ((cpu.user + cpu.system) / 1000) / (performance.now() - wallStart) * 100;
    } finally {
      await tidewater.close();
      redis.disconnect();
    }
    // The peers on the same control plane and git server, after Tidewater stopped (nothing else running).
    if (scalePeers.has('flux')) flux = await measureFlux(cluster, git, work.dir);
    if (scalePeers.has('argocd')) argo = await measureArgo(cluster, git, work.dir);
  } finally {
    await Promise.all([cluster.stop(), git.stop(), redisServer.stop()]);
    delete process.env[secretEnv];
    if (secretDirsBefore === undefined) delete process.env[secretScopeVariables.dirs];
    else process.env[secretScopeVariables.dirs] = secretDirsBefore;
    work.remove();
  }
  const behind = onePushBehindReconcileMs === undefined ? 'n/a' : fixed(onePushBehindReconcileMs, 0);
  console.log(`cold: ${appCount} apps rendered and applied in ${fixed(coldMs / 1000, 1)} s (${fixed(appCount / (coldMs / 1000), 1)} apps/s); `
    + `one-app push applied in ${fixed(onePushMs, 0)} ms; another one-app push with ${reconcileBacklog} reconcile renders queued: ${behind} ms; `
    + `renders at the pushed commits: ${freshRendersAfterPush} fresh (expected ${expectedFresh}: the touched apps), ${reusedAfterPush} reused (source paths unchanged); `
    + `idle CPU ${fixed(idleCpuPct, 1)} % of one core over ${idleSeconds} s`);
  const peers = [...flux ? [{ key: 'flux', label: `flux ${flux.version}`, run: flux }] : [], ...argo ? [{ key: 'argocd', label: `argo cd ${argo.version}`, run: argo }] : []];
  printTable(['scale', 'tidewater', ...peers.map((peer) => peer.label)], [
    [`cold: push → ${appCount} apps applied (s)`, fixed(coldMs / 1000, 1), ...peers.map(({ run }) => fixed(run.coldMs / 1000, 1))],
    ['one-app push → applied (ms)', fixed(onePushMs, 0), ...peers.map(({ run }) => fixed(run.onePushMs, 0))],
    [`idle CPU, % of one core over ${idleSeconds} s (${appCount} apps)`, fixed(idleCpuPct, 1), ...peers.map(({ run }) => fixed(run.idleCpuPct, 1))],
    ['reconcile interval', `${reconcileIntervalMs / 1000} s (+ up to a third)`, ...peers.map(({ run }) => run.interval)],
    ['concurrency', `render ${renderConcurrency}, sync ${syncConcurrency}`, ...peers.map(({ run }) => run.concurrency)],
    ['process', 'tide all (one Node process)', ...peers.map(({ run }) => `${run.processes}, RSS ${fixed(run.rssBytes / 2 ** 20, 0)} MiB after idle`)],
  ]);
  console.log(`targets: cold_s ≤ 90 (${coldMs / 1000 <= 90 ? 'met' : 'missed'}); only the touched apps re-rendered (${freshRendersAfterPush === expectedFresh ? 'yes' : 'no'})`);
  console.log(`BENCH scale cold_s=${fixed(coldMs / 1000, 1)} one_push_ms=${fixed(onePushMs, 0)} idle_cpu_pct=${fixed(idleCpuPct, 1)} `
    + `one_push_behind_reconcile_ms=${behind} fresh_renders_after_push=${freshRendersAfterPush}`
    + peers.map(({ key, run }) => ` ${key}_cold_s=${fixed(run.coldMs / 1000, 1)} ${key}_one_push_ms=${fixed(run.onePushMs, 0)} ${key}_idle_cpu_pct=${fixed(run.idleCpuPct, 1)} `
      + `${key}_ratio=${fixed(run.coldMs / coldMs, 2)}`).join(''));
}

async function readStatus(redis: Redis, app: string): Promise<SyncResult | undefined> {
  const raw = await redis.get(redisKeys.syncStatus(app));
  return raw ? (JSON.parse(raw) as SyncResult) : undefined;
}

/** Polls every app's sync status (one MGET) until all succeeded at `revision`; reports progress every ~10 s. */
async function waitForAllSynced(redis: Redis, revision: string, timeoutMs: number, progress: (synced: number) => void): Promise<void> {
  const keys = Array.from({ length: appCount }, (_, index) => redisKeys.syncStatus(appName(index)));
  let lastReport = performance.now();
  await waitFor(`${appCount} apps to sync ${revision.slice(0, 12)}`, async () => {
    const statuses = await redis.mget(keys);
    const synced = statuses.filter((raw) => {
      if (!raw) return false;
      const status = JSON.parse(raw) as SyncResult;
      return status.revision === revision && status.phase === 'Succeeded';
    }).length;
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      progress(synced);
    }
    return synced === appCount;
  }, { timeoutMs, intervalMs: 250 });
}

/** Every app's four objects are in the cluster (not timed): listed by the tracking label, per kind. */
async function verifyObjects(kubeconfig: string, cacheDir: string): Promise<void> {
  const { stdout } = await runKubectl(['get', 'configmaps,serviceaccounts,services,deployments', '--all-namespaces', '-l', 'tidewater.dev/app', '--no-headers', '-o', 'name'], { kubeconfig, cacheDir });
  const found = stdout.trim().split('\n').filter(Boolean).length;
  if (found !== appCount * 4) throw new Error(`expected ${appCount * 4} objects of the ${appCount} applications in the cluster, found ${found}`);
}

interface PeerScale {
  version: string;
  coldMs: number;
  onePushMs: number;
  idleCpuPct: number;
  rssBytes: number;
  /** For the table: how the peer was run. */
  interval: string;
  concurrency: string;
  processes: string;
}

/**
 * The same fleet through Flux: a second repository on the same git server (smart HTTP) starting with only a README,
 * one GitRepository, a `github` Receiver its post-receive hook posts to, and one Kustomization per app (path
 * apps/app-NNNN, its own target namespace set, interval `fluxInterval`). Cold: the push adding every app's files →
 * all Kustomizations Ready at that commit; then a push touching one app; then the three controllers' CPU (from
 * /proc) while idle for `idleSeconds`.
 */
async function measureFlux(cluster: TestCluster, git: GitServer, workDir: string): Promise<PeerScale> {
  const http = await startGitHttpServer(git.rootDir);
  const fluxDir = join(workDir, 'flux');
  mkdirSync(fluxDir, { recursive: true });
  let flux: FluxPeer | undefined;
  try {
    flux = await startFlux({ cluster, workDir: fluxDir, concurrent: syncConcurrency });
    const peer = flux;
    for (let index = 0; index < namespaceCount; index += 1) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-scale-flux-${index}` } });
    const repo = git.createRepo('flux/fleet');
    const initial = await repo.commit({ 'README.md': 'fleet\n' }, 'start');
    const token = randomBytes(20).toString('hex');
    for (const manifest of [
      receiverSecret('fleet-webhook', token), githubReceiver('fleet', { secretName: 'fleet-webhook', gitRepository: 'fleet' }),
      gitRepository('fleet', http.urlOf('flux/fleet'), '10m'),
    ]) await flux.apply(manifest);
    const webhookPath = await waitFor('the Flux Receiver to be ready', async () => {
      peer.assertRunning();
      const receiver = await peer.get<FluxObject>(`${receiversPath}/fleet`);
      return receiver?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True' ? receiver.status.webhookPath : undefined;
    }, { timeoutMs: 120_000, intervalMs: 200 }).catch((error: Error) => {
      throw new PeerFailure('flux notification-controller', `the Receiver did not become ready: ${error.message}\n${peer.tails()}`);
    });
    repo.setWebhook({ url: `${flux.receiverUrl}${webhookPath}`, secret: token });
    await waitFor('the Flux GitRepository to hold the first commit', async () => {
      peer.assertRunning();
      const source = await peer.get<FluxObject>('/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/gitrepositories/fleet');
      return (source?.status?.artifact?.revision ?? '').endsWith(initial.sha);
    }, { timeoutMs: 120_000, intervalMs: 200 }).catch((error: Error) => {
      throw new PeerFailure('flux source-controller', `did not fetch ${http.urlOf('flux/fleet')}: ${error.message}\n${peer.tails()}`);
    });
    // The Kustomizations exist before the push (their paths missing until it lands; retries every 10 m, so they wait
    // for the artifact's revision change, which enqueues every Kustomization of the GitRepository). Each one's first
    // reconcile (failing on the missing path) must be over before the push: at 1,000 that first round takes minutes,
    // and one still in it when the push lands can fail on the old artifact and then wait out its retry interval (13 of
    // 1,000 did so in the run of 2026-11-30 04:30, adding up to 10 minutes to the cold time).
    const manifests = Array.from({ length: appCount }, (_, index) => stringify(fluxKustomization(appName(index), {
      source: 'fleet', path: `apps/${appName(index)}`, interval: fluxInterval, retryInterval: '10m', targetNamespace: `bench-scale-flux-${index % namespaceCount}`,
    })));
    const manifestFile = join(fluxDir, 'kustomizations.yaml');
    writeFileSync(manifestFile, manifests.join('---\n'));
    await runKubectl(['apply', '--server-side', '-f', manifestFile], { kubeconfig: cluster.kubeconfigPath, cacheDir: join(fluxDir, 'kubectl-cache') });
    const names = Array.from({ length: appCount }, (_, index) => appName(index));
    await waitFor(`${appCount} Flux Kustomizations reconciled once`, async () => {
      peer.assertRunning();
      const items = (await peer.get<{ items: FluxObject[] }>(kustomizationsPath))?.items ?? [];
      // A first reconcile that failed on the missing path leaves Ready False (ArtifactFailed) and no lastAttemptedRevision.
      return items.filter((item) => item.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status !== 'Unknown')).length === appCount;
    }, { timeoutMs: 1_800_000, intervalMs: appCount > 200 ? 5_000 : 1_000 }).catch((error: Error) => {
      if (error instanceof PeerFailure) throw error;
      throw new PeerFailure('flux kustomize-controller', `did not reconcile the ${appCount} new Kustomizations: ${error.message}\n${peer.tails()}`);
    });

    const coldStart = performance.now();
    const cold = await repo.commit(Object.assign({}, ...Array.from({ length: appCount }, (_, index) => appFiles(index, 'v1'))), `add ${appCount} applications`);
    await waitForFluxApplied(flux, names, cold.sha, {
      timeoutMs: 3_600_000, intervalMs: 1_000,
      progress: (applied) => console.log(`  flux cold: ${applied}/${appCount} applied after ${fixed((performance.now() - coldStart) / 1000, 0)} s`),
    });
    const coldMs = performance.now() - coldStart;

    // Idle: nothing new in git since every Kustomization applied; what the controllers spend is their interval work
    // (at 1,000 apps on this machine a full pass takes longer than the 10 m interval, so it never stops).
    const idleCpuPct = await idleCpuPercent(flux, idleSeconds);

    const touched = Math.floor(appCount / 2);
    const pushStart = performance.now();
    const push = await repo.commit(appFiles(touched, 'v2'), `change ${appName(touched)}`);
    // Flux reconciles every Kustomization of the moved source, the touched one in no particular turn: at 1,000 apps that
    // is as long as the cold start, so the wait is as long, and the poll coarser (a GET every 20 ms for 25 minutes
    // would load the API server the controllers use).
    await waitForFluxApplied(flux, [appName(touched)], push.sha, { timeoutMs: 3_600_000, intervalMs: appCount > 200 ? 250 : 20 });
    const onePushMs = performance.now() - pushStart;
    return {
      version: flux.versions['kustomize-controller'], coldMs, onePushMs, idleCpuPct, rssBytes: flux.rssBytes(),
      interval: `${fluxInterval} (Kustomizations), 10m (GitRepository; pushes arrive by Receiver)`,
      concurrency: `source and kustomize --concurrent=${syncConcurrency}`, processes: '3 controllers',
    };
  } finally {
    await flux?.stop();
    await http.stop();
  }
}

/**
 * The same fleet through Argo CD: a third repository on the same git server (smart HTTP) starting with only a README,
 * its post-receive hook posting the signed push to the API server's `/api/webhook`, and one automated Application per
 * app (path apps/app-NNNN, its own destination namespace set), created before the push and reconciled once (their
 * paths missing until it lands). Cold: the push adding every app's files → every Application's sync operation
 * succeeded at that commit; then a push touching one app; then the three components' CPU (from /proc) while idle for
 * `idleSeconds`. Argo CD's defaults otherwise (reconcile every 120 s + up to 60 s jitter, 20 status and 10 operation
 * processors).
 */
async function measureArgo(cluster: TestCluster, git: GitServer, workDir: string): Promise<PeerScale> {
  const http = await startGitHttpServer(git.rootDir);
  const argoDir = join(workDir, 'argo');
  mkdirSync(argoDir, { recursive: true });
  const token = randomBytes(20).toString('hex');
  let argo: ArgoCDPeer | undefined;
  try {
    argo = await startArgoCD({ cluster, workDir: argoDir, components: ['repo-server', 'application-controller', 'server'], githubWebhookSecret: token });
    const peer = argo;
    for (let index = 0; index < namespaceCount; index += 1) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `bench-scale-argo-${index}` } });
    const repo = git.createRepo('argo/fleet');
    await repo.commit({ 'README.md': 'fleet\n' }, 'start');
    repo.setWebhook({ url: `${argo.serverUrl}/api/webhook`, secret: token });
    const names = Array.from({ length: appCount }, (_, index) => `argo-${appName(index)}`);
    const manifests = Array.from({ length: appCount }, (_, index) => stringify(argoApplication(names[index], {
      repoURL: http.urlOf('argo/fleet'), path: `apps/${appName(index)}`, namespace: `bench-scale-argo-${index % namespaceCount}`,
    })));
    const manifestFile = join(argoDir, 'applications.yaml');
    writeFileSync(manifestFile, manifests.join('---\n'));
    await runKubectl(['apply', '--server-side', '-f', manifestFile], { kubeconfig: cluster.kubeconfigPath, cacheDir: join(argoDir, 'kubectl-cache') });
    // Each Application compared once (its path missing: a ComparisonError) before the push, as Flux's Kustomizations wait.
    await waitFor(`${appCount} Argo CD Applications reconciled once`, async () => {
      peer.assertRunning();
      const apps = (await peer.get<{ items: ArgoApplicationObject[] }>(argoApplicationsPath))?.items ?? [];
      return apps.filter((app) => app.status?.sync?.status !== undefined).length === appCount;
    }, { timeoutMs: 1_800_000, intervalMs: appCount > 200 ? 5_000 : 1_000 }).catch((error: Error) => {
      if (error instanceof PeerFailure) throw error;
      throw new PeerFailure('argo-cd application-controller', `did not reconcile the ${appCount} new Applications: ${error.message}\n${peer.tails()}`);
    });

    const coldStart = performance.now();
    const cold = await repo.commit(Object.assign({}, ...Array.from({ length: appCount }, (_, index) => appFiles(index, 'v1'))), `add ${appCount} applications`);
    // A LIST of 1,000 Applications with their status is megabytes: every 5 s at that size, not every second.
    const listEveryMs = appCount > 200 ? 5_000 : 1_000;
    await waitForArgoSynced(argo, names, cold.sha, {
      timeoutMs: 3_600_000, intervalMs: listEveryMs,
      progress: (synced) => console.log(`  argo cd cold: ${synced}/${appCount} synced after ${fixed((performance.now() - coldStart) / 1000, 0)} s`),
    });
    const coldMs = performance.now() - coldStart;

    // Idle: nothing new in git since every Application synced; what the components spend is their periodic
    // reconciliation (every Application compared every 120 s + jitter).
    const idleCpuPct = await idleCpuPercent(argo, idleSeconds);

    const touched = Math.floor(appCount / 2);
    const pushStart = performance.now();
    const push = await repo.commit(appFiles(touched, 'v2'), `change ${appName(touched)}`);
    await waitForArgoSynced(argo, names[touched], push.sha, { timeoutMs: 3_600_000, intervalMs: appCount > 200 ? 250 : 20 });
    const onePushMs = performance.now() - pushStart;
    return {
      version: argo.version, coldMs, onePushMs, idleCpuPct, rssBytes: argo.rssBytes(),
      interval: '120 s + up to 60 s jitter (default; pushes arrive by webhook)',
      concurrency: '20 status, 10 operation processors (default)', processes: 'repo-server, application-controller, API server',
    };
  } finally {
    await argo?.stop();
    await http.stop();
  }
}
