import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppsV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes, readAllEvents, type CloudEvent } from '@tidewater/events';
import { registryReceiverToken } from '@tidewater/gateway';
import { redisKeys, type SyncResult } from '@tidewater/queues';
import { startTidewaterEnvironment } from '../test/e2e/environment.ts';
import { makeWorkDir, startRegistry, waitFor } from '../test/harness/src/index.ts';
import { machineLine } from './measure/machine.ts';
import { fluxImageRepository, measureFluxImage, type FluxImageRun } from './peers/flux-image.ts';
import { startNotifyRelay } from './peers/notify-relay.ts';
import { percentile } from './measure/percentiles.ts';
import { fixed, printTable } from './measure/table.ts';

export const description = 'registry push -> notification -> policy -> commit pushed -> Deployment runs the new image, p50/p95 over 20 trials; + Flux image automation';

const trials = Number(process.env.BENCH_TRIALS ?? 20);
const app = 'guestbook-dev';

interface Trial {
  /** ms after the manifest PUT started, for each stage's end. */
  pushedAt: number;
  discoveredAt: number;
  committedAt: number;
  syncedAt: number;
  runningAt: number;
}

/**
 * The image flow of README command 1, measured: the real docker-registry's notification reaches the gateway, the
 * promoter confirms the digest, commits to the kustomization and pushes through the git daemon, whose post-receive
 * webhook drives render and sync; a trial ends when the Deployment in kube-apiserver carries the new image. Then the
 * same through Flux's image automation (bench/peers/flux-image.ts) on the same registry, git server and control plane.
 */
export async function run(): Promise<void> {
  const secret = randomBytes(20).toString('hex');
  process.env.TIDEWATER_SECRET_REGISTRY_WEBHOOK = secret;
  const env = await startTidewaterEnvironment();
  const redis = new Redis(env.redis.url);
  const relay = await startNotifyRelay(fluxImageRepository);
  const registry = await startRegistry({
    notifyUrl: `${env.gatewayUrl}/webhooks/registry/distribution`,
    notifyHeaders: { Authorization: `Bearer ${registryReceiverToken(secret, 'distribution')}` },
    extraNotifyEndpoints: [{ name: 'flux', url: relay.url }],
  });
  const work = makeWorkDir('bench-image');
  let flux: FluxImageRun;
  const image = `${registry.host}/bench/guestbook`;
  const results: Trial[] = [];
  try {
    const seeded = readFileSync(join(env.configDir, `${app}.yaml`), 'utf8');
    await env.writeConfig(`${app}.yaml`, seeded.replace(/metadata:\n  name: guestbook-dev\n/, [
      'metadata:', '  name: guestbook-dev', '  annotations:',
      `    argocd-image-updater.argoproj.io/image-list: gb=${image}`,
      '    argocd-image-updater.argoproj.io/gb.kustomize.image-name: registry.example.com/guestbook',
      '    argocd-image-updater.argoproj.io/write-back-target: kustomization', '',
    ].join('\n')));
    await waitForSyncOf(redis, env.repo.head(), 180_000);
    const apps = env.cluster.kubeConfig.makeApiClient(AppsV1Api);
    const running = async () => (await apps.readNamespacedDeployment({ name: 'dev-guestbook', namespace: 'guestbook-dev' })).spec?.template.spec?.containers[0]?.image;
    console.log(machineLine());
    console.log(`image: ${trials} trials, each pushing a new tag of ${image} to the real docker-registry; tidewater all-in-one in this process, real Redis, git daemon, kube-apiserver`);
    // One warm-up trial (first clone of the promoter's cache, first token), not counted.
    for (let trial = 0; trial <= trials; trial++) {
      const tag = `v1.${trial + 1}.0`;
      const startedAt = Date.now();
      const started = performance.now();
      await registry.pushImage('bench/guestbook', tag);
      const pushedAt = performance.now() - started;
      const updated = await waitFor(`image.updated ${tag}`, async () => (await eventsFor(redis, eventTypes.imageUpdated)).find((event) => event.data.newTag === tag), { timeoutMs: 60_000, intervalMs: 5 });
      const discovered = (await eventsFor(redis, eventTypes.imageDiscovered)).find((event) => event.data.tag === tag);
      const commit = String(updated.data.commit);
      const synced = await waitForSyncOf(redis, commit, 60_000);
      await waitFor(`Deployment runs ${tag}`, async () => (await running()) === `${image}:${tag}`, { timeoutMs: 60_000, intervalMs: 5 });
      const runningAt = performance.now() - started;
      if (trial === 0) continue;
      results.push({
        pushedAt,
        discoveredAt: Date.parse(discovered?.time ?? updated.time) - startedAt,
        committedAt: Date.parse(updated.time) - startedAt,
        syncedAt: Date.parse(synced.finishedAt) - startedAt,
        runningAt,
      });
    }
    console.log(`image: Flux side, ${trials} trials pushing ${registry.host}/${fluxImageRepository}; Tidewater stays up, idle`);
    flux = await measureFluxImage(env, registry, relay, work.dir, trials);
  } finally {
    redis.disconnect();
    await registry.stop();
    await relay.stop();
    await env.stop();
    work.remove();
    delete process.env.TIDEWATER_SECRET_REGISTRY_WEBHOOK;
  }
  const stage = (name: string, values: number[]) => [name, fixed(percentile(values, 50), 0), fixed(percentile(values, 95), 0)];
  printTable(['stage (ms after the push started)', 'p50', 'p95'], [
    stage('image pushed (blobs + manifest PUT)', results.map((trial) => trial.pushedAt)),
    stage('notification → gateway → image job picked up (image.discovered)', results.map((trial) => trial.discoveredAt)),
    stage('digest confirmed, policy, commit pushed (image.updated)', results.map((trial) => trial.committedAt)),
    stage('git webhook → render → sync finished', results.map((trial) => trial.syncedAt)),
    stage('Deployment carries the new image (end to end)', results.map((trial) => trial.runningAt)),
  ]);
  const fluxStage = (name: string, values: number[]) => [name, fixed(percentile(values, 50), 0), fixed(percentile(values, 95), 0)];
  console.log(`Flux ${flux.versions}:`);
  printTable(['Flux stage (ms after the push started)', 'p50', 'p95'], [
    fluxStage('image pushed (blobs + manifest PUT)', flux.trials.map((trial) => trial.pushedAt)),
    fluxStage('notification → Receiver → ImageRepository scan → ImagePolicy latestRef', flux.trials.map((trial) => trial.policyAt)),
    fluxStage('ImageUpdateAutomation commit pushed (lastPushCommit)', flux.trials.map((trial) => trial.committedAt)),
    fluxStage('git webhook → Receiver → GitRepository → Kustomization applied', flux.trials.map((trial) => trial.appliedAt)),
    fluxStage('Deployment carries the new image (end to end)', flux.trials.map((trial) => trial.runningAt)),
  ]);
  const total = results.map((trial) => trial.runningAt);
  const fluxTotal = flux.trials.map((trial) => trial.runningAt);
  const p50 = percentile(total, 50);
  const fluxP50 = percentile(fluxTotal, 50);
  printTable(['registry push → Deployment runs the new image (ms)', 'p50', 'p95', 'max'], [
    ['Tidewater (all-in-one: gateway, promoter, renderer, syncer)', fixed(p50, 0), fixed(percentile(total, 95), 0), fixed(Math.max(...total), 0)],
    [`Flux (Receivers → reflector → automation → source → kustomize)`, fixed(fluxP50, 0), fixed(percentile(fluxTotal, 95), 0), fixed(Math.max(...fluxTotal), 0)],
  ]);
  console.log(`BENCH image p50_ms=${fixed(p50, 0)} p95_ms=${fixed(percentile(total, 95), 0)} flux_p50_ms=${fixed(fluxP50, 0)} flux_p95_ms=${fixed(percentile(fluxTotal, 95), 0)} flux_ratio=${fixed(fluxP50 / p50, 2)}`);
}

async function eventsFor(redis: Redis, type: string): Promise<CloudEvent[]> {
  return (await readAllEvents(redis, 100_000)).filter((event) => event.type === type && event.data.app === app);
}

async function waitForSyncOf(redis: Redis, revision: string, timeoutMs: number): Promise<SyncResult> {
  return waitFor(`${app} to sync ${revision.slice(0, 12)}`, async () => {
    const raw = await redis.get(redisKeys.syncStatus(app));
    const result = raw ? (JSON.parse(raw) as SyncResult) : undefined;
    return result?.revision === revision && result.phase === 'Succeeded' ? result : undefined;
  }, { timeoutMs, intervalMs: 5 });
}
