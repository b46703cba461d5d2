// README command 1 (via scripts/demo): Tidewater on its embedded defaults. Starts a real Redis, a local
// Kubernetes control plane with simulated nodes, a git server holding examples/gitops-repo, and every
// service in this process; prints the webhook URL and how to push a change. Ctrl-C stops everything.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRedisConnection, readAppStates } from '@tidewater/queues';
import { createLogger, startTelemetry } from '@tidewater/telemetry';
import { startTidewaterEnvironment } from '../test/e2e/environment.ts';
import { freePort, repoRoot, waitFor } from '../test/harness/src/index.ts';

const telemetry = startTelemetry({ serviceName: 'tidewater-demo' });
const logger = createLogger('tide', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'info' });
const port = Number(process.env.PORT ?? 0) || await portOr(8080);
const apiPort = Number(process.env.API_PORT ?? 0) || await portOr(8083);
const started = performance.now();
console.log('[demo] starting Redis, etcd + kube-apiserver (+ controller-manager, scheduler, kwok), git daemon and Tidewater…');
const env = await startTidewaterEnvironment({ workloads: true, port, apiPort, logger, registry: true });

const apps = env.config().applications.map((app) => app.metadata.name);
const redis = createRedisConnection(env.redis.url, 'worker');
console.log(`[demo] pushed examples/gitops-repo; waiting for ${apps.length} applications to sync…`);
await waitFor('the example applications to sync', async () => (await readAppStates(redis, apps)).every((state) => state.sync),
  { timeoutMs: 120_000, intervalMs: 250 }).catch((error: Error) => console.log(`[demo] ${error.message}`));
for (const { app, sync } of await readAppStates(redis, apps)) {
  console.log(`[demo]   ${app.padEnd(20)} ${sync ? `${sync.phase} at ${sync.revision.slice(0, 12)}, ${sync.objects.length} objects` : 'not synced yet'}`);
}

const stateDir = join(repoRoot, '.tidewater');
mkdirSync(stateDir, { recursive: true });
writeFileSync(join(stateDir, 'demo.env'), [
  `export REDIS_URL=${env.redis.url}`, `export KUBECONFIG=${env.cluster.kubeconfigPath}`,
  `export TIDEWATER_CONFIG=${env.configDir}`, `export TIDEWATER_GATEWAY=${env.gatewayUrl}`, `export TIDE_SERVER=${env.apiUrl}`,
  // The configuration's kubeconfig reference lies in the harness's directory, which the environment made a secret directory.
  `export TIDEWATER_SECRET_DIRS=${process.env.TIDEWATER_SECRET_DIRS ?? ''}`,
  `source ${join(repoRoot, 'scripts/node-env')}`, '',
].join('\n'));
console.log(`
Tidewater is running (ready in ${((performance.now() - started) / 1000).toFixed(1)} s).

  web UI                 ${env.apiUrl}/      (log in as admin with the password below; docs/ui.md)
  operator API           ${env.apiUrl}      (OpenAPI: ${env.apiUrl}/api/openapi.json, docs: ${env.apiUrl}/api/docs)
  login                  admin / ${env.adminPassword}
  webhook URL (GitHub)   ${env.gatewayUrl}/webhooks/git/github      (also /gitlab, /gitea, /bitbucket)
  git repository         ${env.repo.url}
  cluster                ${env.cluster.server}
  registry               ${env.registry?.url ?? 'not started'}   (notifies ${env.gatewayUrl}/webhooks/registry/distribution)

Push a change; the repository's post-receive hook delivers it as a signed GitHub push webhook:

  git clone ${env.repo.url} /tmp/gitops-repo && cd /tmp/gitops-repo
  sed -i 's/count: 1/count: 3/' apps/guestbook/overlays/dev/kustomization.yaml
  git commit -am 'Scale guestbook-dev to 3' && git push

Push an image: guestbook-dev follows ${env.registry?.host ?? '<registry>'}/demo/guestbook (Argo CD Image Updater annotations,
semver >=1.0.0). The registry's notification reaches the gateway, the promoter commits the new tag to the dev
overlay's kustomization, and the loop above rolls it out:

  umoci init --layout /tmp/img && umoci new --image /tmp/img:v1.1.0
  skopeo copy --dest-tls-verify=false oci:/tmp/img:v1.1.0 docker://${env.registry?.host ?? '<registry>'}/demo/guestbook:v1.1.0
  git -C /tmp/gitops-repo pull && git -C /tmp/gitops-repo log -1     # build: automatic update of guestbook-dev
  kubectl get deploy dev-guestbook -n guestbook-dev -o jsonpath='{.spec.template.spec.containers[0].image}'

Then look:

  source .tidewater/demo.env     # KUBECONFIG, TIDE_SERVER and tide on PATH
  tide login ${env.apiUrl} --username admin --password ${env.adminPassword}
  tide app list
  tide app get guestbook-dev
  tide events -f
  kubectl get deploy,svc,cm -n guestbook-dev -l tidewater.dev/app=guestbook-dev

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

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolvePort) => {
    const probe = createServer();
    probe.once('error', () => void freePort().then(resolvePort));
    probe.listen(preferred, '127.0.0.1', () => probe.close(() => resolvePort(preferred)));
  });
}
