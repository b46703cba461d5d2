import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Redis } from 'ioredis';
import { defaultSecretDirs, secretScopeVariables, type ArgoApplication, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, eventsStreamKey, type CloudEvent } from '@tidewater/events';
import { createRedisConnection, redisKeys, type AppHealth, type KubernetesObject } from '@tidewater/queues';
import { readAppDrift } from '@tidewater/syncer';
import { stringify } from 'yaml';
import { makeWorkDir, startCluster, startGitServer, startRedis, waitFor, type TestCluster } from '../test/harness/src/index.ts';
import { machineLine } from './measure/machine.ts';
import { startQueuedSyncer } from './measure/queued-syncer.ts';
import { median, percentile } from './measure/percentiles.ts';
import { fixed, printTable } from './measure/table.ts';
import { argoApplication, startArgoCD, waitForArgoSynced, type ArgoCDPeer } from './peers/argocd.ts';
import { startFlux, type FluxPeer } from './peers/flux.ts';
import { gitRepository, kustomization } from './peers/flux-objects.ts';
import { waitForFluxApplied } from './peers/flux-wait.ts';
import { startGitHttpServer } from './peers/git-http-server.ts';
import { PeerFailure } from './peers/peer-failure.ts';

/** For the benchmark listing. */
export const description = 'out-of-band edit → drift detected → self-healed, p50/p95 over 20 edits; 5,000 watched objects idle (memory, CPU)';

const trials = Number(process.env.BENCH_DRIFT_TRIALS ?? 20);
const idleObjects = Number(process.env.BENCH_DRIFT_IDLE_OBJECTS ?? 5_000);
const idleSeconds = Number(process.env.BENCH_DRIFT_IDLE_SECONDS ?? 30);
const repoURL = 'https://git.example.com/bench/drift.git';
/** Flux corrects drift when its Kustomization reconciles: every interval (30 s, the shortest a Flux user would run). */
const fluxInterval = process.env.BENCH_DRIFT_FLUX_INTERVAL ?? '30s';
/** Flux's edits are spaced by this much (not a divisor of the interval), so they land at every phase of its cycle. */
const fluxStaggerMs = Number(process.env.BENCH_DRIFT_FLUX_STAGGER_MS ?? 1_700);
const driftApp = 'bench-drift';
/** Edits of one object, each sent as soon as the previous one was restored (a fight with another writer). */
const repeatEdits = Number(process.env.BENCH_DRIFT_REPEAT_EDITS ?? 5);
const repeatObject = 'web-repeat';
const idleApp = 'bench-idle';

/**
 * Drift detection and self-heal through the syncer's live state, on a real kube-apiserver and Redis:
 * 1. `trials` out-of-band edits (JSON merge patch of spec.replicas by field manager `kubectl-edit`, as
 *    `kubectl edit` sends), each on its own Deployment so self-heal's fight detection (> 3 heals of one object in
 *    60 s) never kicks in; timed from just before the PATCH to the arrival of driftDetected and driftHealed on the
 *    events stream (read with a blocking XREAD in this process).
 * 2. `idleObjects` ConfigMaps synced through the syncer and held in the watch cache; heap and RSS growth after GC,
 *    and the syncer process's CPU over `idleSeconds` idle.
 */
export async function run(): Promise<void> {
  setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as () => void;
  console.log(machineLine());
  console.log(`drift: ${trials} out-of-band edits → drift.detected → drift.healed; then ${idleObjects} tracked ConfigMaps idle for ${idleSeconds} s`);
  const [redisServer, cluster] = await Promise.all([startRedis(), startCluster({ name: 'bench-drift' })]);
  const producerConnection = createRedisConnection(redisServer.url, 'producer', { lazyConnect: false });
  await new Promise<void>((resolve) => (producerConnection.status === 'ready' ? resolve() : producerConnection.once('ready', () => resolve())));
  const workerConnection = createRedisConnection(redisServer.url, 'worker');
  const readerConnection = createRedisConnection(redisServer.url, 'worker');
  const application = (name: string, selfHeal: boolean): ArgoApplication => ({
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
    spec: {
      project: 'default', source: { repoURL, targetRevision: 'main', path: name },
      destination: { name: 'bench', namespace: name },
      syncPolicy: { automated: { prune: true, selfHeal }, syncOptions: ['CreateNamespace=true'] },
    },
  });
  // Secret references reach only TIDEWATER_SECRET_* variables and files under TIDEWATER_SECRET_DIRS: add the kubeconfig's.
  process.env[secretScopeVariables.dirs] = [process.env[secretScopeVariables.dirs] || defaultSecretDirs.join(':'), dirname(cluster.kubeconfigPath)].join(':');
  const config: TidewaterConfig = {
    applications: [application(driftApp, true), application(idleApp, false)], projects: [], repositories: [], otherDocuments: [], warnings: [],
    clusters: [{ apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'bench' }, spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } } }],
  };
  const queued = startQueuedSyncer({ config: () => config, producerConnection, workerConnection });
  const { syncer, clusters } = queued;
  const sync = (app: string, objects: KubernetesObject[]) => queued.sync({
    app, revision: createHash('sha1').update(`${app}-${Date.now()}`).digest('hex'), repoURL, path: app, objects,
  });

  const health = async (app: string) => {
    const raw = await producerConnection.get(redisKeys.appHealth(app));
    return raw ? (JSON.parse(raw) as AppHealth) : undefined;
  };
  const transport = clusters.byName('bench')!.transport;

  try {
    // 1. Edit → detected → healed.
    const deployments = [...Array.from({ length: trials }, (_, index) => deploymentObject(`web-${index}`)), deploymentObject(repeatObject)];
    await sync(driftApp, deployments);
    await waitFor('the drift app judged in sync', async () => (await readAppDrift(producerConnection, driftApp))?.outOfSync === false
      && (await health(driftApp))?.objects.length === deployments.length, { timeoutMs: 60_000 });
    const editAndHeal = async (name: string) => {
      const reader = eventReader(readerConnection, await lastStreamId(producerConnection));
      const start = performance.now();
      const patched = await transport.request({
        method: 'PATCH', path: `/apis/apps/v1/namespaces/${driftApp}/deployments/${name}?fieldManager=kubectl-edit`,
        contentType: 'application/merge-patch+json', body: { spec: { replicas: 7 } },
      });
      if (patched.status !== 200) throw new Error(`patch of ${name} answered ${patched.status}`);
      const detected = await reader.next((event) => event.type === eventTypes.driftDetected && mentions(event, name));
      const healed = await reader.next((event) => event.type === eventTypes.driftHealed && mentions(event, name), 120_000);
      const live = await transport.request<{ spec: { replicas: number } }>({ method: 'GET', path: `/apis/apps/v1/namespaces/${driftApp}/deployments/${name}` });
      if (live.body.spec.replicas !== 2) throw new Error(`${name} was not healed: replicas ${live.body.spec.replicas}`);
      return { detectMs: detected.at - start, healMs: healed.at - start };
    };
    const detectMs: number[] = [];
    const healMs: number[] = [];
    for (let trial = 0; trial < trials; trial += 1) {
      const timing = await editAndHeal(`web-${trial}`);
      detectMs.push(timing.detectMs);
      healMs.push(timing.healMs);
    }
    // The same object drifting again as soon as it is restored (a fight with another writer): self-heal's fight detection.
    const repeatMs: number[] = [];
    for (let edit = 0; edit < repeatEdits; edit += 1) repeatMs.push((await editAndHeal(repeatObject)).healMs);

    // 2. 5,000 tracked objects, idle.
    collectGarbage();
    const before = process.memoryUsage();
    const configMaps = Array.from({ length: idleObjects }, (_, index) => ({
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `settings-${index}` }, data: { index: String(index), payload: 'x'.repeat(64) },
    }));
    const idleSync = await sync(idleApp, configMaps);
    await waitFor(`${idleObjects} ConfigMaps observed Healthy`, async () => {
      const current = await health(idleApp);
      return current?.status === 'Healthy' && current.objects.length === idleObjects;
    }, { timeoutMs: 120_000, intervalMs: 500 });
    const watched = syncer.liveState!.watches().find((watch) => watch.resource === 'configmaps');
    // Let the sync's aftermath (watch events, drift judgement, BullMQ bookkeeping) die down before measuring idle.
    await waitFor('the drift judgement of the idle app', async () => (await readAppDrift(producerConnection, idleApp))?.outOfSync === false, { timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    collectGarbage();
    const after = process.memoryUsage();
    const cpuStart = process.cpuUsage();
    const wallStart = performance.now();
    await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1_000));
    const cpu = process.cpuUsage(cpuStart);
    const wallMs = performance.now() - wallStart;
    const cpuShare = (cpu.user + cpu.system) / 1_000 / wallMs;

    const detectP95 = percentile(detectMs, 95);
    const healP95 = percentile(healMs, 95);
    printTable(['measure', 'p50 ms', 'p95 ms', 'max ms', 'target'], [
      ['edit → drift.detected', fixed(median(detectMs)), fixed(detectP95), fixed(Math.max(...detectMs)), `p95 ≤ 2000 (${detectP95 <= 2_000 ? 'met' : 'missed'})`],
      ['edit → drift.healed (value restored)', fixed(median(healMs)), fixed(healP95), fixed(Math.max(...healMs)), `p95 ≤ 5000 (${healP95 <= 5_000 ? 'met' : 'missed'})`],
    ]);
    const mib = (bytes: number) => fixed(bytes / 2 ** 20, 1);
    printTable(['idle syncer with tracked objects', 'value'], [
      ['tracked ConfigMaps (watch cache)', `${watched?.objects ?? 0} (+ ${trials} Deployments)`],
      [`sync of the ${idleObjects} ConfigMaps (queue → result)`, `${fixed(idleSync.ms / 1_000, 1)} s`],
      ['heap growth after GC', `${mib(after.heapUsed - before.heapUsed)} MiB`],
      ['RSS growth', `${mib(after.rss - before.rss)} MiB (RSS ${mib(after.rss)} MiB)`],
      [`CPU over ${idleSeconds} s idle (whole syncer process)`, `${fixed(cpuShare * 100, 2)} % of a core (target ≤ 5 %: ${cpuShare <= 0.05 ? 'met' : 'missed'})`],
    ]);

    // 3. The same edits against Flux and Argo CD, on the same control plane.
    const flux = await measureFlux(cluster);
    const argo = await measureArgo(cluster);
    const fluxHealP50 = median(flux.healMs);
    const argoHealP50 = median(argo.healMs);
    printTable(['edit → value restored (ms)', 'p50', 'p95', 'max', 'how'], [
      ['tidewater (syncer live state, self-heal)', fixed(median(healMs)), fixed(healP95), fixed(Math.max(...healMs)), 'watch event → drift judged → re-apply'],
      [`flux kustomize-controller ${flux.version} (interval ${fluxInterval})`, fixed(fluxHealP50), fixed(percentile(flux.healMs, 95)), fixed(Math.max(...flux.healMs)),
        'next Kustomization reconcile: dry-run diff → apply'],
      [`argo cd ${argo.version} (self-heal, first drift of each app)`, fixed(argoHealP50), fixed(percentile(argo.healMs, 95)), fixed(Math.max(...argo.healMs)),
        'watch event → app refresh → compare → self-heal sync'],
    ]);
    printTable(['the same object edited again as soon as it is restored (ms)', ...argo.repeatMs.map((_, index) => `#${index + 1}`)], [
      ['tidewater (fight detection: more than 3 heals of one object in 60 s → back off 5 s, doubling)', ...repeatMs.map((ms) => fixed(ms))],
      [`argo cd ${argo.version} (self-heal backoff 2 s × 3ⁿ, per application)`, ...argo.repeatMs.map((ms) => fixed(ms))],
    ]);
    console.log(`BENCH drift detect_p95_ms=${fixed(detectP95)} heal_p95_ms=${fixed(healP95)} flux_heal_p50_ms=${fixed(fluxHealP50)} `
      + `flux_heal_p95_ms=${fixed(percentile(flux.healMs, 95))} flux_ratio=${fixed(fluxHealP50 / median(healMs), 2)} `
      + `argocd_heal_p50_ms=${fixed(argoHealP50)} argocd_heal_p95_ms=${fixed(percentile(argo.healMs, 95))} argocd_ratio=${fixed(argoHealP50 / median(healMs), 2)}`);
  } finally {
    await queued.close();
    await Promise.all([workerConnection.quit(), producerConnection.quit(), readerConnection.quit()].map((closing) => closing.catch(() => undefined)));
    await Promise.all([cluster.stop(), redisServer.stop()]);
  }
}

function deploymentObject(name: string): KubernetesObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      replicas: 2, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
  };
}

function mentions(event: CloudEvent, name: string): boolean {
  const objects = event.data.objects as Array<{ name: string }> | undefined;
  return event.data.app === driftApp && Boolean(objects?.some((object) => object.name === name));
}

async function lastStreamId(redis: Redis): Promise<string> {
  const [last] = await redis.xrevrange(eventsStreamKey, '+', '-', 'COUNT', 1);
  return last?.[0] ?? '0-0';
}

/** Reads the events stream from `after` with blocking XREAD, noting when each event arrived here. */
function eventReader(redis: Redis, after: string) {
  let cursor = after;
  return {
    async next(matches: (event: CloudEvent) => boolean, timeoutMs = 30_000): Promise<{ event: CloudEvent; at: number }> {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const answer = await redis.xread('COUNT', 100, 'BLOCK', 1_000, 'STREAMS', eventsStreamKey, cursor);
        const at = performance.now();
        for (const [, entries] of answer ?? []) {
          for (const [id, fields] of entries) {
            cursor = id;
            const event = JSON.parse(fields[fields.indexOf('event') + 1]) as CloudEvent;
            if (matches(event)) return { event, at };
          }
        }
      }
      throw new Error('timed out waiting for an event');
    },
  };
}

/**
 * Flux beside it: the same `trials` Deployments in a git repository (harness git server over smart HTTP), one
 * GitRepository and one Kustomization (interval `fluxInterval`) applying them to their own namespace; the same JSON
 * merge patch by `kubectl-edit`, edit i sent `fluxStaggerMs` × i after the first, each timed until the live
 * object shows the git value again (polled every 100 ms). Flux has no separate detection event: it finds and fixes
 * drift in the same reconcile.
 */
async function measureFlux(cluster: TestCluster): Promise<{ version: string; healMs: number[] }> {
  const work = makeWorkDir('bench-drift-flux');
  const git = await startGitServer();
  const http = await startGitHttpServer(git.rootDir);
  const namespace = `${driftApp}-flux`;
  let flux: FluxPeer | undefined;
  try {
    flux = await startFlux({ cluster, workDir: work.dir, controllers: ['source-controller', 'kustomize-controller'] });
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const repo = git.createRepo('flux/drift');
    const deployments = Array.from({ length: trials }, (_, index) => deploymentObject(`web-${index}`));
    const initial = await repo.commit({
      'drift/kustomization.yaml': stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', namespace, resources: ['deployments.yaml'] }),
      'drift/deployments.yaml': deployments.map((object) => stringify(object)).join('---\n'),
    }, 'bench: the drift deployments');
    await flux.apply(gitRepository('drift', http.urlOf('flux/drift'), '10m'));
    await flux.apply(kustomization('drift', { source: 'drift', path: 'drift', interval: fluxInterval }));
    await waitForFluxApplied(flux, ['drift'], initial.sha, { timeoutMs: 180_000, intervalMs: 200 });

    const peer = flux;
    const start = performance.now();
    const healMs = await Promise.all(deployments.map(async (_, index) => {
      const name = `web-${index}`;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, start + index * fluxStaggerMs - performance.now())));
      return editAndWaitRestored(peer, 'flux kustomize-controller', namespace, name, { timeoutMs: 180_000, intervalMs: 100 });
    }));
    return { version: flux.versions['kustomize-controller'], healMs };
  } finally {
    await flux?.stop();
    await http.stop();
    await git.stop();
    work.remove();
  }
}

/**
 * Argo CD beside it: the same `trials` Deployments, each in its own automated, self-healing Application (Argo CD's
 * self-heal backs off per Application — 2 s × 3ⁿ after the n-th heal of the same revision, at most 5 minutes — so one
 * Application per object measures its first heal, as Tidewater's per-object heals are), from one git repository
 * over smart HTTP. The same JSON merge patch by `kubectl-edit`, one edit at a time, each timed until the live object
 * shows the git value again (polled every 20 ms). Then `repeatEdits` edits of one more Application's Deployment,
 * each as soon as the previous one was restored: Argo CD's backoff.
 */
async function measureArgo(cluster: TestCluster): Promise<{ version: string; healMs: number[]; repeatMs: number[] }> {
  const work = makeWorkDir('bench-drift-argo');
  const git = await startGitServer();
  const http = await startGitHttpServer(git.rootDir);
  const namespace = `${driftApp}-argo`;
  let argo: ArgoCDPeer | undefined;
  try {
    argo = await startArgoCD({ cluster, workDir: work.dir });
    const repo = git.createRepo('argo/drift');
    const names = [...Array.from({ length: trials }, (_, index) => `web-${index}`), repeatObject];
    const initial = await repo.commit(Object.fromEntries(names.map((name) => [`drift/${name}/deployment.yaml`, stringify(deploymentObject(name))])), 'bench: the drift deployments');
    for (const name of names) await argo.apply(argoApplication(`drift-${name}`, { repoURL: http.urlOf('argo/drift'), path: `drift/${name}`, namespace, selfHeal: true }));
    for (const name of names) await waitForArgoSynced(argo, `drift-${name}`, initial.sha, { timeoutMs: 180_000, intervalMs: 200 });

    const peer = argo;
    // The backoff after the fifth heal of one Application is 162 s: wait up to 400 s.
    const editAndRestore = (name: string) => editAndWaitRestored(peer, 'argo-cd application-controller', namespace, name, { timeoutMs: 400_000, intervalMs: 20 });
    const healMs: number[] = [];
    for (let index = 0; index < trials; index += 1) healMs.push(await editAndRestore(`web-${index}`));
    const repeatMs: number[] = [];
    for (let edit = 0; edit < repeatEdits; edit += 1) repeatMs.push(await editAndRestore(repeatObject));
    return { version: argo.version, healMs, repeatMs };
  } finally {
    await argo?.stop();
    await http.stop();
    await git.stop();
    work.remove();
  }
}

/**
 * The out-of-band edit on a peer's Deployment (`spec.replicas` 2 → 7, JSON merge patch as `kubectl-edit`), then the
 * time until the live object shows the git value again; a PeerFailure naming `who` if it does not within the timeout.
 */
async function editAndWaitRestored(
  peer: FluxPeer | ArgoCDPeer, who: string, namespace: string, name: string, options: { timeoutMs: number; intervalMs: number },
): Promise<number> {
  const path = `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`;
  const edited = performance.now();
  const patched = await peer.request<{ spec: { replicas: number } }>('PATCH', `${path}?fieldManager=kubectl-edit`, { spec: { replicas: 7 } }, 'application/merge-patch+json');
  if (patched.status !== 200 || patched.body.spec.replicas !== 7) throw new Error(`patch of ${namespace}/${name} answered ${patched.status}`);
  await waitFor(`${who} to restore ${namespace}/${name}`, async () => {
    peer.assertRunning();
    return (await peer.get<{ spec: { replicas: number } }>(path))?.spec.replicas === 2;
  }, options).catch((error: Error) => {
    if (error instanceof PeerFailure) throw error;
    throw new PeerFailure(who, `did not restore ${namespace}/${name}: ${error.message}\n${peer.tails()}`);
  });
  return performance.now() - edited;
}
