import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { queueNames } from '@tidewater/queues';
import { freePort, makeWorkDir, repoRoot, startCluster, startRedis, waitFor } from '../test/harness/src/index.ts';
import { startChildServer, type ChildServer } from './measure/child-server.ts';
import { runLoad, type LoadResult } from './measure/http-load.ts';
import { fixed, printTable } from './measure/table.ts';
import { createPushBodyFactory } from './workloads/github-push-bodies.ts';
import { machineLine } from './measure/machine.ts';
import { argoApplication, startArgoCD } from './peers/argocd.ts';
import { startFlux } from './peers/flux.ts';
import { githubReceiver, gitRepository, receiverSecret, receiversPath, type FluxObject } from './peers/flux-objects.ts';
import { PeerFailure } from './peers/peer-failure.ts';

export const description = 'signed GitHub push webhooks through the gateway vs a Fastify hello-world (req/s, p50/p99)';

const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_S ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
/** Rounds of (hello, gateway info, gateway warn); each server's best round is reported, as other work on a shared machine only ever slows a round down. */
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);
const cloneUrl = 'https://github.com/tidewater-bench/gitops.git';
const secretEnv = 'TIDEWATER_SECRET_BENCH_WEBHOOK';
const applications = ['web', 'api', 'worker', 'cron'];

interface Row {
  server: string;
  load: LoadResult;
  /** req/s of every round, in order. */
  roundsRps: number[];
  jobs?: number;
  redisCommands?: number;
}

/**
 * Signed ~6.5 KB GitHub push webhooks through the real gateway (verify, dedupe, route, enqueue one render job,
 * 202) vs a bare Fastify hello-world, both in their own process, same autocannon load.
 */
export async function run(): Promise<void> {
  const work = makeWorkDir('bench-ingest');
  const redis = await startRedis();
  const secret = randomBytes(20).toString('hex');
  const bodies = createPushBodyFactory({ cloneUrl, fullName: 'tidewater-bench/gitops', appPath: 'apps/web', secret, targetBytes: 6_500 });
  const configDir = join(work.dir, 'config');
  writeConfig(configDir);
  const renderQueue = new Queue(queueNames.render, { connection: { url: redis.url } });
  const stats = new Redis(redis.url);
  const rows: Row[] = [];
  const started: ChildServer[] = [];
  let flux: PeerRow | undefined;
  let argo: PeerRow | undefined;
  try {
    console.log(machineLine());
    console.log(`ingest: ${bodies.bytes} B signed GitHub push (${bodies.commits} commits), ${connections} connections, `
      + `${durationSeconds} s measured after ${warmupSeconds} s warm-up, ${rounds} rounds (best round reported); redis ${redis.backend}`);

    const servers = [
      { server: 'fastify hello-world', entry: 'bench/servers/hello-server.ts', env: {} as Record<string, string>, counts: false },
      ...['info', 'warn'].map((level) => ({
        server: `tidewater gateway (log ${level})`,
        entry: 'services/gateway/src/main.ts',
        // The load comes from one address: the per-source rate limit (600/min by default) is off for the measurement.
        env: { TIDEWATER_CONFIG: configDir, REDIS_URL: redis.url, HOST: '127.0.0.1', [secretEnv]: secret, TIDEWATER_LOG_LEVEL: level, LOG_LEVEL: level, TIDEWATER_WEBHOOK_RATE_LIMIT_MAX: '0' },
        counts: true,
      })),
    ];
    for (let round = 1; round <= rounds; round += 1) {
      for (const [index, candidate] of servers.entries()) {
        const server = await startServer(started, join(repoRoot, candidate.entry), candidate.env, join(work.dir, `server-${index}.log`));
        let jobsBefore = 0;
        let commandsBefore = 0;
        const load = await measure(server.url, bodies.next, async () => {
          jobsBefore = await queuedJobs(renderQueue);
          commandsBefore = await commandsProcessed(stats);
        });
        await stopServer(started, server); // lets in-flight requests finish, so every accepted push is counted
        const measured: Row = {
          server: candidate.server, load, roundsRps: [load.rps],
          ...(candidate.counts ? { jobs: (await queuedJobs(renderQueue)) - jobsBefore, redisCommands: (await commandsProcessed(stats)) - commandsBefore } : {}),
        };
        const previous = rows[index];
        if (!previous) rows[index] = measured;
        else rows[index] = { ...(measured.load.rps > previous.load.rps ? measured : previous), roundsRps: [...previous.roundsRps, load.rps] };
      }
    }
    flux = await measureFlux(work.dir, secret, bodies.next);
    argo = await measureArgo(work.dir, secret, bodies.next);
  } finally {
    for (const server of started) await server.stop();
    await renderQueue.close();
    stats.disconnect();
    await redis.stop();
    work.remove();
  }

  const hello = rows[0].load;
  printTable(
    ['server', 'req/s (2xx)', 'rounds req/s', 'p50 ms', 'p99 ms', 'ratio to hello', '2xx', 'other', 'errors', 'render jobs queued', 'redis cmds/push'],
    rows.map(({ server, load, roundsRps, jobs, redisCommands }) => [
      server, fixed(load.rps, 0), roundsRps.map((rps) => fixed(rps, 0)).join(' / '), fixed(load.p50Ms, 2), fixed(load.p99Ms, 2), fixed(load.rps / hello.rps, 2),
      load.ok, load.notOk, load.errors, jobs ?? '-', redisCommands === undefined ? '-' : fixed(redisCommands / load.ok, 1),
    ]),
  );
  const ours = rows[1];
  const fluxLoad = flux!.load;
  const argoLoad = argo!.load;
  printTable(['receiver (accept and enqueue)', 'req/s (2xx)', 'rounds req/s', 'p50 ms', 'p99 ms', '2xx', 'other', 'errors', 'enqueued as'], [
    ['tidewater gateway (log info)', fixed(ours.load.rps, 0), ours.roundsRps.map((rps) => fixed(rps, 0)).join(' / '), fixed(ours.load.p50Ms, 2), fixed(ours.load.p99Ms, 2),
      ours.load.ok, ours.load.notOk, ours.load.errors, 'one BullMQ render job (Redis)'],
    [`flux notification-controller ${flux!.version} (github Receiver)`, fixed(fluxLoad.rps, 0), flux!.roundsRps.map((rps) => fixed(rps, 0)).join(' / '),
      fixed(fluxLoad.p50Ms, 2), fixed(fluxLoad.p99Ms, 2), fluxLoad.ok, fluxLoad.notOk, fluxLoad.errors, 'a reconcile-request annotation PATCH on the GitRepository (kube-apiserver)'],
    [`argo cd server ${argo!.version} (/api/webhook)`, fixed(argoLoad.rps, 0), argo!.roundsRps.map((rps) => fixed(rps, 0)).join(' / '),
      fixed(argoLoad.p50Ms, 2), fixed(argoLoad.p99Ms, 2), argoLoad.ok, argoLoad.notOk, argoLoad.errors, 'the parsed payload on an in-memory channel (lost if the process stops)'],
  ]);
  console.log(`render jobs queued vs 2xx (gateway, log info, reported round): ${ours.jobs} jobs for ${ours.load.ok} accepted pushes`
    + ` (requests in flight when a load run stopped are still served: up to ${connections} more jobs, or fewer, per run boundary)`);
  console.log(`targets: ratio >= 0.33 (${ours.load.rps / hello.rps >= 0.33 ? 'met' : 'missed'}), p99 <= 15 ms (${ours.load.p99Ms <= 15 ? 'met' : 'missed'})`);
  console.log(`BENCH ingest ratio=${fixed(ours.load.rps / hello.rps, 3)} p99_ms=${fixed(ours.load.p99Ms, 2)} rps=${fixed(ours.load.rps, 0)}`
    + ` flux_rps=${fixed(fluxLoad.rps, 0)} flux_p99_ms=${fixed(fluxLoad.p99Ms, 2)} flux_ratio=${fixed(fluxLoad.rps / ours.load.rps, 3)}`
    + ` argocd_rps=${fixed(argoLoad.rps, 0)} argocd_p99_ms=${fixed(argoLoad.p99Ms, 2)} argocd_ratio=${fixed(argoLoad.rps / ours.load.rps, 3)}`);
}

interface PeerRow {
  version: string;
  load: LoadResult;
  roundsRps: number[];
}

/**
 * The same signed pushes at Flux's notification-controller: a `github` Receiver (same HMAC secret) whose accepted
 * request asks one GitRepository to reconcile — notification-controller's "enqueue" is a PATCH of the
 * `reconcile.fluxcd.io/requestedAt` annotation through the kube-apiserver of a harness control plane. Only
 * notification-controller runs (no source-controller acting on the requests), as only the gateway runs on
 * Tidewater's side. Best of `rounds`, as above.
 */
async function measureFlux(workDir: string, secret: string, nextRequest: () => { body: string; headers: Record<string, string> }): Promise<PeerRow> {
  const cluster = await startCluster({ name: 'bench-ingest-flux' });
  const fluxDir = join(workDir, 'flux');
  mkdirSync(fluxDir, { recursive: true });
  const flux = await startFlux({ cluster, workDir: fluxDir, controllers: ['notification-controller'] }).catch(async (error: Error) => {
    await cluster.stop();
    throw error;
  });
  try {
    for (const manifest of [
      receiverSecret('ingest-webhook', secret), gitRepository('gitops', cloneUrl, '10m'),
      githubReceiver('ingest', { secretName: 'ingest-webhook', gitRepository: 'gitops' }),
    ]) await flux.apply(manifest);
    const webhookPath = await waitFor('the Flux Receiver to be ready', async () => {
      flux.assertRunning();
      const receiver = await flux.get<FluxObject>(`${receiversPath}/ingest`);
      const ready = receiver?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
      return ready ? receiver?.status?.webhookPath : undefined;
    }, { timeoutMs: 120_000, intervalMs: 200 }).catch((error: Error) => {
      throw new PeerFailure('flux notification-controller', `the Receiver did not become ready: ${error.message}\n${flux.tails()}`);
    });
    let best: LoadResult | undefined;
    const roundsRps: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const load = await measure(flux.receiverUrl, nextRequest, undefined, webhookPath);
      flux.assertRunning();
      if (load.ok === 0) throw new PeerFailure('flux notification-controller', `accepted none of ${load.notOk + load.errors} signed pushes (${load.notOk} non-2xx, ${load.errors} errors)\n${flux.tails()}`);
      roundsRps.push(load.rps);
      if (!best || load.rps > best.rps) best = load;
    }
    return { version: flux.versions['notification-controller'], load: best!, roundsRps };
  } finally {
    await flux.stop();
    await cluster.stop();
  }
}

/**
 * The same signed pushes at Argo CD's API server, `/api/webhook` with the same secret as `webhook.github.secret`; the
 * same Applications exist (not synced: no controller runs), so each accepted push, after the answer, is matched to
 * `apps/web` and refreshes it. Argo CD's "enqueue" is a send on an in-memory channel (50,000 payloads) that 50 worker
 * goroutines drain. Only the server runs, against its own harness control plane and Redis. Best of `rounds`.
 */
async function measureArgo(workDir: string, secret: string, nextRequest: () => { body: string; headers: Record<string, string> }): Promise<PeerRow> {
  const cluster = await startCluster({ name: 'bench-ingest-argo' });
  const argoDir = join(workDir, 'argo');
  mkdirSync(argoDir, { recursive: true });
  const argo = await startArgoCD({ cluster, workDir: argoDir, components: ['server'], githubWebhookSecret: secret }).catch(async (error: Error) => {
    await cluster.stop();
    throw error;
  });
  try {
    for (const name of applications) await argo.apply(argoApplication(name, { repoURL: cloneUrl, path: `apps/${name}`, namespace: name }));
    let best: LoadResult | undefined;
    const roundsRps: number[] = [];
    for (let round = 1; round <= rounds; round += 1) {
      const load = await measure(argo.serverUrl, nextRequest, undefined, '/api/webhook');
      argo.assertRunning();
      if (load.ok === 0) throw new PeerFailure('argo-cd server', `accepted none of ${load.notOk + load.errors} signed pushes (${load.notOk} non-2xx, ${load.errors} errors)\n${argo.tails()}`);
      roundsRps.push(load.rps);
      if (!best || load.rps > best.rps) best = load;
    }
    return { version: argo.version, load: best!, roundsRps };
  } finally {
    await argo.stop();
    await cluster.stop();
  }
}

/** A warm-up run (discarded), then `afterWarmup`, then the measured run. */
async function measure(
  url: string,
  nextRequest: () => { body: string; headers: Record<string, string> },
  afterWarmup: () => Promise<void> = async () => {},
  path = '/webhooks/git/github',
): Promise<LoadResult> {
  const options = { url, path, connections, nextRequest };
  if (warmupSeconds > 0) await runLoad({ ...options, durationSeconds: warmupSeconds });
  await afterWarmup();
  return runLoad({ ...options, durationSeconds });
}

async function startServer(started: ChildServer[], entry: string, env: Record<string, string>, logFile: string): Promise<ChildServer> {
  const server = await startChildServer({ entry, port: await freePort(), env, logFile, readyPath: '/healthz' });
  started.push(server);
  return server;
}

async function stopServer(started: ChildServer[], server: ChildServer): Promise<void> {
  await server.stop();
  started.splice(started.indexOf(server), 1);
}

/** Commands Redis has executed since it started (INFO stats). */
async function commandsProcessed(redis: Redis): Promise<number> {
  const match = /total_commands_processed:(\d+)/.exec(await redis.info('stats'));
  return match ? Number(match[1]) : Number.NaN;
}

async function queuedJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed');
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

/** One Repository (secret from the environment) and a few Applications; each push touches only `apps/web`. */
function writeConfig(configDir: string): void {
  mkdirSync(configDir, { recursive: true });
  const documents = [
    ['apiVersion: tidewater.dev/v1alpha1', 'kind: Repository', 'metadata: {name: gitops}', 'spec:', `  url: ${cloneUrl}`, `  webhookSecretRef: {env: ${secretEnv}}`].join('\n'),
    ...applications.map((name) => [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${name}, namespace: argocd}`, 'spec:', '  project: default',
      '  source:', `    repoURL: ${cloneUrl}`, '    targetRevision: main', `    path: apps/${name}`,
      '  destination:', '    server: https://kubernetes.default.svc', `    namespace: ${name}`,
    ].join('\n')),
  ];
  writeFileSync(join(configDir, 'tidewater.yaml'), `${documents.join('\n---\n')}\n`);
}
