import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import { loadConfigDir, type TidewaterConfig } from '@tidewater/config';
import { createRedisConnection } from '@tidewater/queues';
import { startAll, type RunningTidewater } from '@tidewater/tide';
import { runClusterList } from '../../services/tide/src/cluster-command.ts';
import { createLogger } from '@tidewater/telemetry';
import {
  freePort, makeWorkDir, startCluster, startGitServer, startRedis, toolPath, waitFor,
  type GitRepo, type GitServer, type RedisInstance, type TestCluster,
} from '../harness/src/index.ts';
import { waitForSync } from './helpers.ts';

// Applications to two real control planes at once, each reached with its own kind of credentials (a kubeconfig
// whose user is an exec plugin; a bearer token and CA given directly), a third cluster that cannot be reached,
// and a clusters-generator ApplicationSet fed by the Cluster documents' labels.

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello}\ndata: {greeting: hello}\n';

describe('many clusters', () => {
  let redisServer: RedisInstance;
  let east: TestCluster;
  let west: TestCluster;
  let gitServer: GitServer;
  let repo: GitRepo;
  let redis: Redis;
  let tidewater: RunningTidewater;
  let config: TidewaterConfig;
  const work = makeWorkDir('multi-cluster');
  const envNames: string[] = [];
  const setEnv = (value: string) => {
    const name = `TIDEWATER_SECRET_E2E_${randomBytes(4).toString('hex').toUpperCase()}`;
    process.env[name] = value;
    envNames.push(name);
    return name;
  };

  beforeAll(async () => {
    [redisServer, east, west, gitServer] = await Promise.all([startRedis(), startCluster({ name: 'east' }), startCluster({ name: 'west' }), startGitServer()]);
    repo = gitServer.createRepo('org/platform');
    const webhookSecret = randomBytes(16).toString('hex');
    const secretEnv = setEnv(webhookSecret);

    // east: a kubeconfig whose user is an exec plugin printing an ExecCredential.
    const eastToken = east.kubeConfig.getCurrentUser()?.token ?? '';
    const plugin = join(work.dir, 'east-credential.sh');
    writeFileSync(plugin, `#!/bin/sh\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' '${eastToken}'\n`);
    chmodSync(plugin, 0o700);
    const eastKubeconfig = join(work.dir, 'east-kubeconfig');
    writeFileSync(eastKubeconfig, [
      'apiVersion: v1', 'kind: Config',
      `clusters: [{name: east, cluster: {server: "${east.server}", certificate-authority: "${east.kubeConfig.getCurrentCluster()?.caFile}"}}]`,
      `users: [{name: plugin, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "${plugin}", interactiveMode: Never}}}]`,
      'contexts: [{name: east, context: {cluster: east, user: plugin}}]', 'current-context: east', '',
    ].join('\n'));
    // west: bearer token and CA as references, no kubeconfig.
    const westTokenEnv = setEnv(west.kubeConfig.getCurrentUser()?.token ?? '');
    const westCa = west.kubeConfig.getCurrentCluster()?.caFile ?? '';
    const closedPort = await freePort();

    const configDir = join(work.dir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'platform.yaml'), `
apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: platform}
spec: {url: '${repo.url}', webhookSecretRef: {env: ${secretEnv}}}
---
apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata: {name: east, labels: {environment: web-app}}
spec: {server: '${east.server}', kubeconfigRef: {file: '${eastKubeconfig}'}, labels: {region: east}}
---
apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata: {name: west, labels: {environment: web-app}}
spec: {server: '${west.server}', bearerTokenRef: {env: ${westTokenEnv}}, caRef: {file: '${westCa}'}, labels: {region: west}}
---
apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata: {name: down}
spec: {server: 'https://127.0.0.1:${closedPort}', bearerTokenRef: {env: ${westTokenEnv}}, insecure: true}
---
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: web}
spec:
  generators: [{clusters: {selector: {matchLabels: {environment: web-app}}}}]
  template:
    metadata: {name: 'web-{{name}}'}
    spec:
      project: default
      source: {repoURL: '${repo.url}', targetRevision: main, path: apps/hello}
      destination: {server: '{{server}}', namespace: 'web-{{metadata.labels.region}}'}
      syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: named-west}
spec:
  project: default
  source: {repoURL: '${repo.url}', targetRevision: main, path: apps/hello}
  destination: {name: west, namespace: named}
  syncPolicy: {automated: {}, syncOptions: [CreateNamespace=true]}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: down-app}
spec:
  project: default
  source: {repoURL: '${repo.url}', targetRevision: main, path: apps/hello}
  destination: {name: down, namespace: down}
  syncPolicy: {automated: {}, syncOptions: [CreateNamespace=true]}
`);
    config = await loadConfigDir(configDir);
    expect(config.applications.map((application) => application.metadata.name).sort()).toEqual(['down-app', 'named-west', 'web-east', 'web-west']);
    redis = createRedisConnection(redisServer.url, 'worker');
    tidewater = await startAll({
      redisUrl: redisServer.url,
      config: () => config,
      port: 0,
      cacheDir: join(work.dir, 'renderer-cache'),
      auditDir: join(work.dir, 'audit'),
      auditPort: 0,
      tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') },
      logger: createLogger('e2e', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'silent' }),
    });
    repo.setWebhook({ url: `${tidewater.gatewayUrl}/webhooks/git/github`, secret: webhookSecret });
  }, 180_000);

  afterAll(async () => {
    await tidewater?.close();
    redis?.disconnect();
    await Promise.all([east?.stop(), west?.stop(), gitServer?.stop(), redisServer?.stop()]);
    for (const name of envNames) delete process.env[name];
    work.remove();
  });

  it('syncs to both control planes by server and by name, while the unreachable cluster fails only its own application', async () => {
    const { sha } = await repo.commit({ 'apps/hello/cm.yaml': configMap }, 'hello everywhere');
    const [webEast, webWest, namedWest] = await Promise.all([
      waitForSync(redis, 'web-east', sha, 90_000),
      waitForSync(redis, 'web-west', sha, 90_000),
      waitForSync(redis, 'named-west', sha, 90_000),
    ]);
    expect([webEast.phase, webWest.phase, namedWest.phase]).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
    const eastCore = east.kubeConfig.makeApiClient(CoreV1Api);
    const westCore = west.kubeConfig.makeApiClient(CoreV1Api);
    expect((await eastCore.readNamespacedConfigMap({ name: 'hello', namespace: 'web-east' })).data).toEqual({ greeting: 'hello' });
    expect((await westCore.readNamespacedConfigMap({ name: 'hello', namespace: 'web-west' })).data).toEqual({ greeting: 'hello' });
    expect((await westCore.readNamespacedConfigMap({ name: 'hello', namespace: 'named' })).data).toEqual({ greeting: 'hello' });
    const eastNamespaces = (await eastCore.listNamespace()).items.map((namespace) => namespace.metadata?.name);
    expect(eastNamespaces).not.toContain('web-west');
    expect(eastNamespaces).not.toContain('named');

    // The unreachable cluster: retried, then reported on its own application only.
    const down = await waitForSync(redis, 'down-app', sha, 120_000);
    expect(down.phase).toBe('Failed');
    expect(down.message).toContain('down');
  }, 240_000);

  it('tide cluster list shows reachability and version of each cluster', async () => {
    const out: string[] = [];
    const code = await runClusterList(['list'], { stdout: (text) => out.push(text), stderr: (text) => out.push(text), loadConfig: async () => config });
    expect(code).toBe(1);
    const lines = out.join('\n').split('\n');
    expect(lines[0]).toMatch(/^NAME\s+SERVER\s+REACHABLE\s+VERSION\s+LABELS$/);
    expect(lines.find((line) => line.startsWith('east '))).toMatch(/\syes\s+v1\.\d+\.\d+\S*\s+environment=web-app,region=east$/);
    expect(lines.find((line) => line.startsWith('west '))).toMatch(/\syes\s+v1\.\d+/);
    expect(lines.find((line) => line.startsWith('down '))).toMatch(/\sno\s+-\s+-$/);
    expect(lines.find((line) => line.startsWith('down: '))).toBeDefined();
    expect(out.join('\n')).not.toContain(west.kubeConfig.getCurrentUser()?.token ?? 'no-token');
  });
});
