// README command 1 (via scripts/demo): Tidewater on its embedded defaults. Starts a real Redis, a local
// Kubernetes control plane with simulated nodes, a git server holding examples/gitops-repo, and every
// service in this process; prints the webhook URL and how to push a change. Ctrl-C stops everything.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRedisConnection, redisKeys, type SyncResult } from '@tidewater/queues';
import { createLogger, startTelemetry } from '@tidewater/telemetry';
import { startTidewaterEnvironment } from '../test/e2e/environment.ts';
import { freePort, repoRoot, waitFor } from '../test/harness/src/index.ts';

const telemetry = startTelemetry({ serviceName: 'tidewater-demo' });
const logger = createLogger('tide', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'info' });
const port = Number(process.env.PORT ?? 0) || await portOr8080();
const started = performance.now();
console.log('[demo] starting Redis, etcd + kube-apiserver (+ controller-manager, scheduler, kwok), git daemon and Tidewater…');
const env = await startTidewaterEnvironment({ workloads: true, port, logger });

const apps = env.config().applications.map((app) => app.metadata.name);
const redis = createRedisConnection(env.redis.url, 'worker');
console.log(`[demo] pushed examples/gitops-repo; waiting for ${apps.length} applications to sync…`);
await waitFor('the example applications to sync', async () => {
  const results = await Promise.all(apps.map(async (app) => redis.get(redisKeys.syncStatus(app))));
  return results.every(Boolean);
}, { timeoutMs: 120_000, intervalMs: 250 }).catch((error: Error) => console.log(`[demo] ${error.message}`));
for (const app of apps) {
  const raw = await redis.get(redisKeys.syncStatus(app));
  const result = raw ? (JSON.parse(raw) as SyncResult) : undefined;
  console.log(`[demo]   ${app.padEnd(20)} ${result ? `${result.phase} at ${result.revision.slice(0, 12)}, ${result.objects.length} objects` : 'not synced yet'}`);
}

const stateDir = join(repoRoot, '.tidewater');
mkdirSync(stateDir, { recursive: true });
writeFileSync(join(stateDir, 'demo.env'), [
  `export REDIS_URL=${env.redis.url}`, `export KUBECONFIG=${env.cluster.kubeconfigPath}`,
  `export TIDEWATER_CONFIG=${env.configDir}`, `export TIDEWATER_GATEWAY=${env.gatewayUrl}`,
  // The configuration's kubeconfig reference lies in the harness's directory, which the environment made a secret directory.
  `export TIDEWATER_SECRET_DIRS=${process.env.TIDEWATER_SECRET_DIRS ?? ''}`,
  `source ${join(repoRoot, 'scripts/node-env')}`, '',
].join('\n'));
console.log(`
Tidewater is running (ready in ${((performance.now() - started) / 1000).toFixed(1)} s).

  webhook URL (GitHub)   ${env.gatewayUrl}/webhooks/git/github      (also /gitlab, /gitea, /bitbucket)
  git repository         ${env.repo.url}
  cluster                ${env.cluster.server}

Push a change; the repository's post-receive hook delivers it as a signed GitHub push webhook:

  git clone ${env.repo.url} /tmp/gitops-repo && cd /tmp/gitops-repo
  sed -i 's/count: 1/count: 3/' apps/guestbook/overlays/dev/kustomization.yaml
  git commit -am 'Scale guestbook-dev to 3' && git push

Then look:

  source .tidewater/demo.env     # REDIS_URL, KUBECONFIG, TIDEWATER_CONFIG and tide on PATH
  kubectl get deploy,svc,cm -n guestbook-dev -l tidewater.dev/app=guestbook-dev
  tide status
  tide events

Ctrl-C stops everything.
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('[demo] stopping…');
  redis.disconnect();
  await env.stop();
  await telemetry.shutdown();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());

async function portOr8080(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => void freePort().then(resolvePort));
    probe.listen(8080, '127.0.0.1', () => probe.close(() => resolvePort(8080)));
  });
}
