import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { eventTypes, readAllEvents, type CloudEvent } from '@tidewater/events';
import { queueNames, redisKeys, type SyncResult } from '@tidewater/queues';
import { startTidewaterEnvironment, type TidewaterEnvironment } from '../test/e2e/environment.ts';
import { makeWorkDir, toolPath, waitFor } from '../test/harness/src/index.ts';
import { runKubectl } from './measure/kubectl.ts';
import { percentile } from './measure/percentiles.ts';
import { fixed, printTable } from './measure/table.ts';
import { kustomization, kustomizeAppFiles, pushAnnotation } from './workloads/kustomize-app.ts';
import { machineLine } from './measure/machine.ts';
import { argoApplication, startArgoCD, waitForArgoSynced, type ArgoCDPeer } from './peers/argocd.ts';
import { startFlux, type FluxPeer } from './peers/flux.ts';
import { githubReceiver, gitRepository, kustomization as fluxKustomization, receiverSecret, receiversPath, type FluxObject } from './peers/flux-objects.ts';
import { waitForFluxApplied } from './peers/flux-wait.ts';
import { startGitHttpServer } from './peers/git-http-server.ts';
import { PeerFailure } from './peers/peer-failure.ts';

export const description = 'git push -> webhook -> 50-object Kustomize app applied, p50/p95 over 20 pushes';

const pushes = Number(process.env.BENCH_PUSHES ?? 20);
const peerRuns = 5;
const app = 'bench-latency';
const appPath = 'bench/latency-app';
const namespace = 'bench-latency';
const objectCount = 50;

interface PushTiming {
  totalMs: number;
  pushMs: number;
  /** Stage ends, ms after the push started, from the events' timestamps (ms resolution). */
  webhookAt: number;
  renderStartAt: number;
  syncStartAt: number;
  syncDoneAt: number;
}

/**
 * git push → post-receive hook → signed GitHub webhook → gateway → render (Kustomize) → sync → all 50 objects
 * carry the pushed value, with every Tidewater service in one process against real Redis, git and kube-apiserver.
 */
export async function run(): Promise<void> {
  const work = makeWorkDir('bench-latency');
  const timings: PushTiming[] = [];
  let peerMs: number[] = [];
  let flux: PeerRun | undefined;
  let argo: PeerRun | undefined;
  const env = await startTidewaterEnvironment();
  const redis = new Redis(env.redis.url);
  try {
    await env.writeConfig('bench-latency.yaml', [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${app}, namespace: argocd}`, 'spec:', '  project: default',
      '  source:', `    repoURL: ${env.repo.url}`, '    targetRevision: main', `    path: ${appPath}`,
      '  destination:', '    server: https://kubernetes.default.svc', `    namespace: ${namespace}`,
      '  syncPolicy:', '    automated: {prune: true}', '    syncOptions: [CreateNamespace=true]', '',
    ].join('\n'));
    const files = kustomizeAppFiles({ namespace, set: 'latency', pushValue: 'initial' });
    const initial = await env.repo.commit(Object.fromEntries(Object.entries(files).map(([file, text]) => [`${appPath}/${file}`, text])), 'bench: add the 50-object app');
    await waitForSyncOf(redis, initial.sha, 180_000);
    await waitForIdleQueues(env.redis.url);
    console.log(machineLine());
    console.log(`latency: ${pushes} pushes, each changing one commonAnnotations value that lands in all ${objectCount} objects of a Kustomize app; `
      + 'tidewater all-in-one (gateway, renderer, syncer) in this process, real Redis, git daemon, kube-apiserver');

    for (let push = 1; push <= pushes; push += 1) timings.push(await measurePush(env, redis, `push-${push}`));
    peerMs = await measurePeer(env, work.dir);
    flux = await measureFlux(env, work.dir);
    argo = await measureArgo(env, work.dir);
  } finally {
    redis.disconnect();
    await env.stop();
    work.remove();
  }

  // Printed after everything stopped, so the BENCH line is the last line.
  const row = (label: string, values: number[]) => [label, fixed(percentile(values, 50), 0), fixed(percentile(values, 95), 0), fixed(Math.max(...values), 0)];
  printTable(['stage (ms)', 'p50', 'p95', 'max'], [
    row('git push (hook delivers the webhook inside it)', timings.map((t) => t.pushMs)),
    row('push start → webhook accepted (202)', timings.map((t) => t.webhookAt)),
    row('webhook → render started (queue pickup, git fetch, branch head)', timings.map((t) => t.renderStartAt - t.webhookAt)),
    row('render started → sync started (checkout, kustomize, hand-over)', timings.map((t) => t.syncStartAt - t.renderStartAt)),
    row(`sync started → sync succeeded (apply ${objectCount})`, timings.map((t) => t.syncDoneAt - t.syncStartAt)),
    row(`TOTAL push start → all ${objectCount} objects carry the value`, timings.map((t) => t.totalMs)),
    row(`peer: kubectl apply --server-side of the ${objectCount} rendered objects`, peerMs),
    row(`peer: Flux ${flux!.version} TOTAL push start → all ${objectCount} objects carry the value (Receiver)`, flux!.totalMs),
    row(`peer: Argo CD ${argo!.version} TOTAL push start → all ${objectCount} objects carry the value (webhook)`, argo!.totalMs),
  ]);
  const p50 = percentile(timings.map((t) => t.totalMs), 50);
  const p95 = percentile(timings.map((t) => t.totalMs), 95);
  const fluxP50 = percentile(flux!.totalMs, 50);
  const argoP50 = percentile(argo!.totalMs, 50);
  printTable(['push → all 50 applied (ms)', 'p50', 'p95', 'max'], [
    ['tidewater (all-in-one)', fixed(p50, 0), fixed(p95, 0), fixed(Math.max(...timings.map((t) => t.totalMs)), 0)],
    [`flux ${flux!.version} (Receiver → source → kustomize)`, fixed(fluxP50, 0), fixed(percentile(flux!.totalMs, 95), 0), fixed(Math.max(...flux!.totalMs), 0)],
    [`argo cd ${argo!.version} (webhook → refresh → auto-sync)`, fixed(argoP50, 0), fixed(percentile(argo!.totalMs, 95), 0), fixed(Math.max(...argo!.totalMs), 0)],
  ]);
  console.log(`per push total ms: ${timings.map((t) => fixed(t.totalMs, 0)).join(' ')}`);
  console.log(`flux per push total ms: ${flux!.totalMs.map((ms) => fixed(ms, 0)).join(' ')}`);
  console.log(`argo cd per push total ms: ${argo!.totalMs.map((ms) => fixed(ms, 0)).join(' ')}`);
  console.log(`target: p50 ≤ 1000 ms (${p50 <= 1000 ? 'met' : 'missed'})`);
  console.log(`BENCH latency p50_ms=${fixed(p50, 0)} p95_ms=${fixed(p95, 0)} flux_p50_ms=${fixed(fluxP50, 0)} flux_ratio=${fixed(fluxP50 / p50, 2)} `
    + `argocd_p50_ms=${fixed(argoP50, 0)} argocd_ratio=${fixed(argoP50 / p50, 2)}`);
}

/** One push: time from just before `git push` until the sync result for the new commit is seen; then checks the cluster. */
async function measurePush(env: TidewaterEnvironment, redis: Redis, value: string): Promise<PushTiming> {
  const wallStart = Date.now();
  const start = performance.now();
  const commit = await env.repo.commit({ [`${appPath}/kustomization.yaml`]: kustomization(namespace, value) }, `bench: ${value}`);
  const pushMs = performance.now() - start;
  const result = await waitForSyncOf(redis, commit.sha, 60_000, 5);
  const totalMs = performance.now() - start;
  if (result.phase !== 'Succeeded') throw new Error(`sync of ${commit.sha} ${result.phase}: ${result.message}`);
  await verifyCluster(env, value);

  const events = (await readAllEvents(redis, 100_000)).filter((event) => event.data.revision === commit.sha);
  const at = (type: string, filter: (event: CloudEvent) => boolean = () => true) => {
    const event = events.find((candidate) => candidate.type === type && filter(candidate));
    if (!event) throw new Error(`no ${type} event for ${commit.sha}`);
    return Date.parse(event.time) - wallStart;
  };
  const ofApp = (event: CloudEvent) => event.data.app === app;
  return {
    totalMs,
    pushMs,
    webhookAt: at(eventTypes.webhookReceived),
    renderStartAt: at(eventTypes.renderStarted, ofApp),
    syncStartAt: at(eventTypes.syncStarted, ofApp),
    syncDoneAt: at(eventTypes.syncSucceeded, ofApp),
  };
}

async function waitForSyncOf(redis: Redis, revision: string, timeoutMs: number, intervalMs = 50): Promise<SyncResult> {
  return waitFor(`${app} to sync ${revision.slice(0, 12)}`, async () => {
    const raw = await redis.get(redisKeys.syncStatus(app));
    const result = raw ? (JSON.parse(raw) as SyncResult) : undefined;
    return result?.revision === revision && result.phase !== 'Superseded' ? result : undefined;
  }, { timeoutMs, intervalMs });
}

/** The seed push renders and syncs the example apps: let that work finish before measuring. */
async function waitForIdleQueues(redisUrl: string): Promise<void> {
  const queues = [queueNames.render, queueNames.sync].map((name) => new Queue(name, { connection: { url: redisUrl } }));
  try {
    await waitFor('the render and sync queues to be idle', async () => {
      for (const queue of queues) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(counts).some((count) => count > 0)) return false;
      }
      return true;
    }, { timeoutMs: 120_000, intervalMs: 200 });
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}

/** All 50 objects are in the cluster and carry `value` (not timed). */
async function verifyCluster(env: TidewaterEnvironment, value: string, inNamespace = namespace): Promise<void> {
  const { stdout } = await runKubectl(['get', 'configmaps,deployments,services', '-n', inNamespace, '-l', 'bench.tidewater.dev/set=latency', '-o', 'json'],
    { kubeconfig: env.cluster.kubeconfigPath, cacheDir: join(env.configDir, '..', 'kubectl-cache') });
  const items = (JSON.parse(stdout) as { items: Array<{ metadata: { annotations?: Record<string, string> } }> }).items;
  const carrying = items.filter((item) => item.metadata.annotations?.[pushAnnotation] === value).length;
  if (items.length !== objectCount || carrying !== objectCount) {
    throw new Error(`expected ${objectCount} objects with ${pushAnnotation}=${value}, found ${carrying} of ${items.length}`);
  }
}

/** The peer for context: `kubectl apply --server-side` of the same 50 objects, rendered by kustomize, each run a changed value. */
async function measurePeer(env: TidewaterEnvironment, workDir: string): Promise<number[]> {
  const peerNamespace = `${namespace}-kubectl`;
  const appDir = join(workDir, 'peer-app');
  mkdirSync(appDir, { recursive: true });
  const cacheDir = join(workDir, 'kubectl-cache');
  const kubeconfig = env.cluster.kubeconfigPath;
  await runKubectl(['create', 'namespace', peerNamespace], { kubeconfig, cacheDir });
  const times: number[] = [];
  for (let run = 0; run <= peerRuns; run += 1) {
    for (const [file, text] of Object.entries(kustomizeAppFiles({ namespace: peerNamespace, set: 'latency-kubectl', pushValue: `peer-${run}` }))) {
      writeFileSync(join(appDir, file), text);
    }
    const rendered = spawnSync(toolPath('kustomize'), ['build', appDir], { encoding: 'utf8' });
    if (rendered.status !== 0) throw new Error(`kustomize build failed: ${rendered.stderr}`);
    const manifest = join(workDir, 'peer-rendered.yaml');
    writeFileSync(manifest, rendered.stdout);
    const { ms } = await runKubectl(['apply', '--server-side', '--force-conflicts', '-f', manifest], { kubeconfig, cacheDir });
    if (run > 0) times.push(ms); // run 0 creates the objects and warms kubectl's discovery cache
  }
  return times;
}

interface PeerRun {
  version: string;
  totalMs: number[];
}

/**
 * The same push → webhook → applied path through Flux, on the same control plane and git server: a second repository
 * with the same 50-object app (own namespace), served over smart HTTP; its post-receive hook delivers the same signed
 * GitHub push webhook to a `github` Receiver, which asks the GitRepository to reconcile; kustomize-controller applies
 * the new artifact. Intervals are 10 m, so only the webhook drives it. Timed from just before `git push` until the
 * Kustomization reports the pushed commit applied (Ready), then the 50 objects are checked as on Tidewater's side.
 */
async function measureFlux(env: TidewaterEnvironment, workDir: string): Promise<PeerRun> {
  const http = await startGitHttpServer(env.git.rootDir);
  let flux: FluxPeer | undefined;
  try {
    flux = await startFlux({ cluster: env.cluster, workDir });
    const fluxNs = `${namespace}-flux`;
    const repo = env.git.createRepo('flux/latency');
    await env.cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: fluxNs } });
    const files = kustomizeAppFiles({ namespace: fluxNs, set: 'latency', pushValue: 'initial' });
    const initial = await repo.commit(Object.fromEntries(Object.entries(files).map(([file, text]) => [`${appPath}/${file}`, text])), 'bench: add the 50-object app');
    const token = randomBytes(20).toString('hex');
    for (const manifest of [
      receiverSecret('latency-webhook', token), githubReceiver('latency', { secretName: 'latency-webhook', gitRepository: 'latency' }),
      gitRepository('latency', http.urlOf('flux/latency'), '10m'),
      fluxKustomization('latency', { source: 'latency', path: appPath, interval: '10m' }),
    ]) await flux.apply(manifest);
    const peer = flux;
    const webhookPath = await waitFor('the Flux Receiver to be ready', async () => {
      peer.assertRunning();
      const receiver = await peer.get<FluxObject>(`${receiversPath}/latency`);
      const ready = receiver?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
      return ready ? receiver?.status?.webhookPath : undefined;
    }, { timeoutMs: 120_000, intervalMs: 200 }).catch((error: Error) => {
      throw new PeerFailure('flux notification-controller', `the Receiver did not become ready: ${error.message}\n${peer.tails()}`);
    });
    repo.setWebhook({ url: `${flux.receiverUrl}${webhookPath}`, secret: token });
    await waitForFluxApplied(flux, ['latency'], initial.sha, { timeoutMs: 180_000, intervalMs: 200 });
    await verifyCluster(env, 'initial', fluxNs);

    const totalMs: number[] = [];
    for (let push = 1; push <= pushes; push += 1) {
      const value = `flux-push-${push}`;
      const start = performance.now();
      const commit = await repo.commit({ [`${appPath}/kustomization.yaml`]: kustomization(fluxNs, value) }, `bench: ${value}`);
      await waitForFluxApplied(flux, ['latency'], commit.sha, { timeoutMs: 60_000, intervalMs: 20 });
      totalMs.push(performance.now() - start);
      await verifyCluster(env, value, fluxNs);
    }
    return { version: flux.versions['kustomize-controller'], totalMs };
  } finally {
    await flux?.stop();
    await http.stop();
  }
}

/**
 * The same path through Argo CD, on the same control plane and git server: a third repository with the same 50-object
 * app (own namespace), served over smart HTTP; its post-receive hook delivers the same signed GitHub push webhook to
 * the API server's `/api/webhook`, which marks the Application for refresh; the application-controller asks the
 * repo-server for the new manifests and, the Application being automated, syncs them. Reconciliation at Argo CD's
 * default (120 s + jitter), so the webhook drives it. Timed from just before `git push` until the Application's sync
 * operation succeeded at the pushed commit, then the 50 objects are checked as on Tidewater's side.
 */
async function measureArgo(env: TidewaterEnvironment, workDir: string): Promise<PeerRun> {
  const http = await startGitHttpServer(env.git.rootDir);
  const token = randomBytes(20).toString('hex');
  let argo: ArgoCDPeer | undefined;
  try {
    argo = await startArgoCD({ cluster: env.cluster, workDir, components: ['repo-server', 'application-controller', 'server'], githubWebhookSecret: token });
    const argoNs = `${namespace}-argo`;
    const repo = env.git.createRepo('argo/latency');
    const files = kustomizeAppFiles({ namespace: argoNs, set: 'latency', pushValue: 'initial' });
    const initial = await repo.commit(Object.fromEntries(Object.entries(files).map(([file, text]) => [`${appPath}/${file}`, text])), 'bench: add the 50-object app');
    await argo.apply(argoApplication('latency', { repoURL: http.urlOf('argo/latency'), path: appPath, namespace: argoNs }));
    await waitForArgoSynced(argo, 'latency', initial.sha, { timeoutMs: 180_000, intervalMs: 200 });
    await verifyCluster(env, 'initial', argoNs);
    repo.setWebhook({ url: `${argo.serverUrl}/api/webhook`, secret: token });

    const totalMs: number[] = [];
    for (let push = 1; push <= pushes; push += 1) {
      const value = `argo-push-${push}`;
      const start = performance.now();
      const commit = await repo.commit({ [`${appPath}/kustomization.yaml`]: kustomization(argoNs, value) }, `bench: ${value}`);
      await waitForArgoSynced(argo, 'latency', commit.sha, { timeoutMs: 60_000, intervalMs: 20 });
      totalMs.push(performance.now() - start);
      await verifyCluster(env, value, argoNs);
    }
    return { version: argo.version, totalMs };
  } finally {
    await argo?.stop();
    await http.stop();
  }
}
