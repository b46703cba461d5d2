import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';
import { createRedisConnection, type ObjectOutcome } from '@tidewater/queues';
import { makeWorkDir, startCluster, startRedis, type TestCluster } from '../test/harness/src/index.ts';
import { runKubectl } from './measure/kubectl.ts';
import { median } from './measure/percentiles.ts';
import { fixed, printTable } from './measure/table.ts';
import { benchLabel, benchObjects } from './workloads/apply-objects.ts';
import { machineLine } from './measure/machine.ts';
import { startQueuedSyncer } from './measure/queued-syncer.ts';

export const description = '1,000 objects synced by the syncer vs kubectl apply --server-side (cold and no-op)';

const namespaces = ['bench-apply-a', 'bench-apply-b'];
const configMapsPerNamespace = 400;
const deploymentsPerNamespace = 100;
const noopRuns = Number(process.env.BENCH_NOOP_RUNS ?? 3);
const app = 'bench-apply';
const repoURL = 'https://git.example.com/bench/apply.git';

interface SideResult {
  coldMs: number;
  noopMs: number[];
  /** Tidewater only: the processor's own durationMs (job picked up → result written). */
  coldProcessorMs?: number;
  noopProcessorMs?: number[];
  detail: string;
}

interface Side {
  tool: string;
  set: string;
  measure(cluster: TestCluster, workDir: string): Promise<SideResult>;
}

/**
 * 1,000 objects applied by Tidewater's syncer (through the sync queue, as the renderer hands work over) vs
 * `kubectl apply --server-side --force-conflicts -f <dir>` (as shipped, and with `--validate=false`, which skips
 * kubectl's client-side schema work). Each tool gets its own fresh kube-apiserver, started the same way just
 * before its turn and stopped after it, so an idle control plane never competes for the 2 cores.
 */
export async function run(): Promise<void> {
  const work = makeWorkDir('bench-apply');
  const redis = await startRedis();
  const sides: Side[] = [
    { tool: 'tidewater syncer (queue → result)', set: 'tidewater', measure: (cluster) => measureTidewater(redis.url, cluster) },
    { tool: 'kubectl apply --server-side', set: 'kubectl', measure: (cluster, dir) => measureKubectl(cluster, dir, 'kubectl', []) },
    { tool: 'kubectl apply --server-side --validate=false', set: 'kubectl-novalidate', measure: (cluster, dir) => measureKubectl(cluster, dir, 'kubectl-novalidate', ['--validate=false']) },
  ];
  const total = namespaces.length * (configMapsPerNamespace + deploymentsPerNamespace);
  const results: SideResult[] = [];
  try {
    console.log(machineLine());
    console.log(`apply: ${total} objects (${namespaces.length} namespaces × ${configMapsPerNamespace} ConfigMaps + ${deploymentsPerNamespace} Deployments), `
      + `each tool against its own fresh kube-apiserver; no-op = median of ${noopRuns} re-applies of the unchanged set`);
    for (const side of sides) {
      const cluster = await startCluster({ name: `bench-${side.set}` });
      try {
        for (const namespace of namespaces) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
        const sideDir = join(work.dir, side.set);
        mkdirSync(sideDir, { recursive: true });
        results.push(await side.measure(cluster, sideDir));
        await verifyCount(cluster, side.set, total, sideDir);
      } finally {
        await cluster.stop();
      }
    }
  } finally {
    await redis.stop();
    work.remove();
  }

  const [tidewater, ...peers] = results;
  const speedups = peers.map((peer) => ({ cold: peer.coldMs / tidewater.coldMs, noop: median(peer.noopMs) / median(tidewater.noopMs) }));
  const runs = (values: readonly number[]) => values.map((ms) => fixed(ms, 0)).join(' / ');
  printTable(['tool', 'cold ms', 'no-op ms (median)', 'no-op runs ms', 'cold speedup', 'no-op speedup', 'notes'], results.map((result, index) => [
    sides[index].tool, fixed(result.coldMs, 0), fixed(median(result.noopMs), 0), runs(result.noopMs),
    index === 0 ? '-' : `${fixed(speedups[index - 1].cold, 2)}×`, index === 0 ? '-' : `${fixed(speedups[index - 1].noop, 2)}×`, result.detail,
  ]));
  console.log(`speedup = peer time / tidewater time. syncer's own durationMs: cold ${tidewater.coldProcessorMs}, no-op ${runs(tidewater.noopProcessorMs ?? [])}`);
  const [headline, novalidate] = speedups;
  console.log(`targets (vs kubectl as shipped): cold ≥ 3× (${headline.cold >= 3 ? 'met' : 'missed'}), no-op ≥ 10× (${headline.noop >= 10 ? 'met' : 'missed'}); `
    + `vs kubectl --validate=false (the honest floor): no-op ≥ 10× (${novalidate.noop >= 10 ? 'met' : 'missed'})`);
  console.log(`BENCH apply cold_speedup=${fixed(headline.cold, 2)} noop_speedup=${fixed(headline.noop, 2)} noop_speedup_novalidate=${fixed(novalidate.noop, 2)}`);
}

async function measureTidewater(redisUrl: string, cluster: TestCluster): Promise<SideResult> {
  const objects = benchObjects({ namespaces, configMaps: configMapsPerNamespace, deployments: deploymentsPerNamespace, set: 'tidewater' });
  const application: ArgoApplication = {
    apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: app },
    spec: {
      project: 'default',
      source: { repoURL, targetRevision: 'main', path: 'apps/bench' },
      destination: { server: cluster.server, namespace: namespaces[0] },
      syncPolicy: { automated: { prune: true } },
    },
  };
  const config: TidewaterConfig = {
    applications: [application], projects: [], repositories: [], otherDocuments: [], warnings: [],
    clusters: [{ apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name: cluster.name }, spec: { server: cluster.server, kubeconfigRef: { file: cluster.kubeconfigPath } } }],
  };
  const producerConnection = createRedisConnection(redisUrl, 'producer', { lazyConnect: false });
  await new Promise<void>((resolve) => (producerConnection.status === 'ready' ? resolve() : producerConnection.once('ready', () => resolve())));
  const workerConnection = createRedisConnection(redisUrl, 'worker');
  const queued = startQueuedSyncer({ config: () => config, producerConnection, workerConnection });
  const syncOnce = (revision: string) => queued.sync({ app, revision, repoURL, path: 'apps/bench', objects });

  try {
    const cold = await syncOnce(fakeRevision('cold'));
    const coldCounts = outcomeCounts(cold.result.objects.map((object) => object.outcome));
    const noop = [];
    for (let run = 0; run < noopRuns; run += 1) noop.push(await syncOnce(fakeRevision(`noop-${run}`)));
    const noopCounts = outcomeCounts(noop.at(-1)!.result.objects.map((object) => object.outcome));
    return {
      coldMs: cold.ms,
      noopMs: noop.map((entry) => entry.ms),
      coldProcessorMs: cold.result.durationMs,
      noopProcessorMs: noop.map((entry) => entry.result.durationMs),
      detail: `cold: ${coldCounts}; no-op: ${noopCounts}`,
    };
  } finally {
    await queued.close();
    await Promise.all([workerConnection.quit(), producerConnection.quit()].map((closing) => closing.catch(() => undefined)));
  }
}

async function measureKubectl(cluster: TestCluster, dir: string, set: string, extraArgs: readonly string[]): Promise<SideResult> {
  const manifests = join(dir, 'manifests');
  const cacheDir = join(dir, 'cache');
  mkdirSync(manifests, { recursive: true });
  const objects = benchObjects({ namespaces, configMaps: configMapsPerNamespace, deployments: deploymentsPerNamespace, set });
  for (const object of objects) {
    writeFileSync(join(manifests, `${object.metadata.namespace}-${object.kind.toLowerCase()}-${object.metadata.name}.yaml`), stringify(object));
  }
  const apply = () => runKubectl(['apply', '--server-side', '--force-conflicts', ...extraArgs, '-f', manifests], { kubeconfig: cluster.kubeconfigPath, cacheDir });
  const cold = await apply();
  const noop = [];
  for (let run = 0; run < noopRuns; run += 1) noop.push(await apply());
  const lines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).length;
  return {
    coldMs: cold.ms,
    noopMs: noop.map((entry) => entry.ms),
    detail: `${objects.length} files; cold printed ${lines(cold.stdout)} lines, no-op ${lines(noop.at(-1)!.stdout)}`,
  };
}

/** Counts the benchmark's objects in the cluster (not timed): both tools must have applied all of them. */
async function verifyCount(cluster: TestCluster, set: string, expected: number, dir: string): Promise<void> {
  const { stdout } = await runKubectl(['get', 'configmaps,deployments', '--all-namespaces', '-l', `${benchLabel}=${set}`, '--no-headers'],
    { kubeconfig: cluster.kubeconfigPath, cacheDir: join(dir, 'verify-cache') });
  const found = stdout.trim().split('\n').filter(Boolean).length;
  if (found !== expected) throw new Error(`${set}: expected ${expected} objects in the cluster, found ${found}`);
}

function outcomeCounts(outcomes: readonly ObjectOutcome[]): string {
  const counts = new Map<string, number>();
  for (const outcome of outcomes) counts.set(outcome, (counts.get(outcome) ?? 0) + 1);
  return [...counts].map(([outcome, count]) => `${count} ${outcome}`).join(', ');
}

const fakeRevision = (seed: string) => createHash('sha1').update(`bench-apply-${seed}-${Date.now()}`).digest('hex');

