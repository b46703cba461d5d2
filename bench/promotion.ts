import { performance } from 'node:perf_hooks';
import { AppsV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { startTidewaterEnvironment } from '../test/e2e/environment.ts';
import { setUpGuestbookPipeline } from '../test/e2e/promotion-fixture.ts';
import { waitFor } from '../test/harness/src/index.ts';
import { machineLine } from './measure/machine.ts';
import { percentile } from './measure/percentiles.ts';
import { fixed, printTable } from './measure/table.ts';

export const description = 'promotion pipeline: registry push -> dev -> staging healthy (zero soak), and approve -> production applied, p50/p95';

const trials = Number(process.env.BENCH_TRIALS ?? 10);

interface StageView {
  name: string;
  currentFreight: { id: string; images: Array<{ tag: string }> } | null;
  verifiedAt?: string;
  approvals: { pending: Array<{ freight: string; alias?: string }> } | null;
}

/**
 * The loop, measured with every part real (registry notifications, gateway, promoter, git daemon, renderer,
 * syncer, kube-apiserver with simulated nodes): per trial a new tag is pushed; `push_to_staging` ends when staging
 * is verified healthy with the new freight (its Deployment Available after the promotion's own sync; zero soak),
 * `approve_to_prod` runs from the approval request to the production Deployment carrying the new image.
 */
export async function run(): Promise<void> {
  const env = await startTidewaterEnvironment({ registry: true, workloads: true });
  const redis = new Redis(env.redis.url);
  const apps = env.cluster.kubeConfig.makeApiClient(AppsV1Api);
  const pushToStaging: number[] = [];
  const approveToProd: number[] = [];
  const image = `${env.registry!.host}/demo/guestbook`;
  try {
    const token = await setUpGuestbookPipeline(env, { soak: '0s' });
    const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const response = await fetch(`${env.apiUrl}${path}`, {
        method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    const stage = async (name: string) => (await api<{ stages: StageView[] }>('GET', '/api/v1/pipelines/guestbook')).stages.find((candidate) => candidate.name === name)!;
    const prodImage = async () => (await apps.readNamespacedDeployment({ name: 'prod-guestbook', namespace: 'guestbook-production' }).catch(() => undefined))?.spec?.template.spec?.containers[0]?.image;
    await waitFor('pipeline consumer group', async () => ((await redis.xinfo('GROUPS', 'tidewater:events').catch(() => [])) as unknown[][]).some((group) => group.includes('promoter-pipelines')), { timeoutMs: 30_000 });
    console.log(machineLine());
    console.log(`promotion: ${trials} trials (+1 warm-up), each pushing a new tag of ${image}; tidewater all-in-one in this process, real Redis, registry, git daemon, kube-apiserver + simulated nodes`);
    for (let trial = 0; trial <= trials; trial++) {
      const tag = `1.${trial + 2}.0`;
      const started = performance.now();
      await env.registry!.pushImage('demo/guestbook', tag);
      await waitFor(`staging verified with ${tag}`, async () => {
        const staging = await stage('staging');
        return staging.currentFreight?.images[0]?.tag === tag && staging.verifiedAt !== undefined;
      }, { timeoutMs: 120_000, intervalMs: 10 });
      const stagingAt = performance.now() - started;
      const request = await waitFor(`production approval request for ${tag}`, async () => {
        const production = await stage('production');
        return production.approvals?.pending[0];
      }, { timeoutMs: 60_000, intervalMs: 10 });
      const approving = performance.now();
      await api('POST', '/api/v1/pipelines/guestbook/stages/production/approve', { freight: request.freight });
      await waitFor(`production runs ${tag}`, async () => (await prodImage()) === `${image}:${tag}`, { timeoutMs: 60_000, intervalMs: 10 });
      const prodAt = performance.now() - approving;
      if (trial === 0) continue;
      pushToStaging.push(stagingAt);
      approveToProd.push(prodAt);
    }
  } finally {
    redis.disconnect();
    await env.stop();
  }
  const row = (name: string, values: number[]) => [name, fixed(percentile(values, 50), 0), fixed(percentile(values, 95), 0)];
  printTable(['measure (ms)', 'p50', 'p95'], [
    row('registry push → dev → staging verified healthy (zero soak)', pushToStaging),
    row('approve (API) → production Deployment carries the image', approveToProd),
  ]);
  console.log('Kargo and GitOps Promoter for comparison (not run here): both reconcile promotions every 5 minutes by default.');
  console.log(`BENCH promotion push_to_staging_p50_ms=${fixed(percentile(pushToStaging, 50), 0)} approve_to_prod_p50_ms=${fixed(percentile(approveToProd, 50), 0)}`);
}
