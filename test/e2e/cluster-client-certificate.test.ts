import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Redis } from 'ioredis';
import { loadConfigDir, type TidewaterConfig } from '@tidewater/config';
import { createRedisConnection } from '@tidewater/queues';
import { startAll, type RunningTidewater } from '@tidewater/tide';
import { createLogger } from '@tidewater/telemetry';
import {
  makeWorkDir, startCluster, startGitServer, startRedis, toolPath,
  type GitRepo, type GitServer, type RedisInstance, type TestCluster,
} from '../harness/src/index.ts';
import { waitForSync } from './helpers.ts';

// A Cluster document with clientCertificateRef / clientKeyRef / caRef against a real kube-apiserver that accepts
// client certificates (--client-ca-file): the certificate's user is bound by RBAC and applies; a certificate of an
// unbound user is authenticated but forbidden; a self-signed certificate claiming the bound user is not authenticated.

const configMap = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: hello}\ndata: {greeting: certificate}\n';

describe('client-certificate cluster credentials against a real apiserver', () => {
  let redisServer: RedisInstance;
  let cluster: TestCluster;
  let gitServer: GitServer;
  let repo: GitRepo;
  let redis: Redis;
  let tidewater: RunningTidewater;
  let config: TidewaterConfig;
  const work = makeWorkDir('client-certificate');
  const envNames: string[] = [];
  const setEnv = (value: string) => {
    const name = `TIDEWATER_SECRET_E2E_${randomBytes(4).toString('hex').toUpperCase()}`;
    process.env[name] = value;
    envNames.push(name);
    return name;
  };
  let deployerKey = '';

  beforeAll(async () => {
    [redisServer, cluster, gitServer] = await Promise.all([startRedis(), startCluster({ name: 'certs', clientCertificates: true }), startGitServer()]);
    repo = gitServer.createRepo('org/certs');
    const webhookSecret = randomBytes(16).toString('hex');
    const secretEnv = setEnv(webhookSecret);

    // RBAC for the certificate's user: namespaces and ConfigMaps, nothing else.
    await cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'tidewater-deployer' },
      rules: [{ apiGroups: [''], resources: ['namespaces', 'configmaps'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }],
    });
    await cluster.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'tidewater-deployer' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tidewater-deployer' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'tidewater-deployer' }],
    });
    const deployer = await cluster.issueClientCertificate!('tidewater-deployer', ['tidewater']);
    const stranger = await cluster.issueClientCertificate!('tidewater-stranger');
    deployerKey = deployer.key;
    // Self-signed, claiming the bound user: no CA the apiserver trusts signed it.
    const forgedDir = join(work.dir, 'forged');
    mkdirSync(forgedDir);
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(forgedDir, 'key.pem'), '-out', join(forgedDir, 'cert.pem'),
      '-days', '1', '-subj', '/CN=tidewater-deployer/O=system:masters'], { stdio: 'ignore' });
    const forged = { certificate: readFileSync(join(forgedDir, 'cert.pem'), 'utf8'), key: readFileSync(join(forgedDir, 'key.pem'), 'utf8') };

    const caEnv = setEnv(cluster.serverCa ?? '');
    const clusterDocument = (name: string, credentials: { certificate: string; key: string }) => `
apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata: {name: ${name}}
spec: {server: '${cluster.server}', clientCertificateRef: {env: ${setEnv(credentials.certificate)}}, clientKeyRef: {env: ${setEnv(credentials.key)}}, caRef: {env: ${caEnv}}}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}-app}
spec:
  project: default
  source: {repoURL: '${repo.url}', targetRevision: main, path: apps/hello}
  destination: {name: ${name}, namespace: ${name}-ns}
  syncPolicy: {automated: {}, syncOptions: [CreateNamespace=true]}
---`;
    const configDir = join(work.dir, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'certs.yaml'), `
apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: certs}
spec: {url: '${repo.url}', webhookSecretRef: {env: ${secretEnv}}}
---${clusterDocument('deployer', deployer)}${clusterDocument('stranger', stranger)}${clusterDocument('forged', forged)}
`);
    config = await loadConfigDir(configDir);
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
    await Promise.all([cluster?.stop(), gitServer?.stop(), redisServer?.stop()]);
    for (const name of envNames) delete process.env[name];
    work.remove();
  });

  it('applies with the bound user\'s certificate; an unbound user is forbidden and a forged certificate is not authenticated', async () => {
    const { sha } = await repo.commit({ 'apps/hello/cm.yaml': configMap }, 'hello over client certificates');
    const [deployer, stranger, forged] = await Promise.all([
      waitForSync(redis, 'deployer-app', sha, 120_000),
      waitForSync(redis, 'stranger-app', sha, 120_000),
      waitForSync(redis, 'forged-app', sha, 120_000),
    ]);
    expect(deployer.phase).toBe('Succeeded');
    const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    const applied = await core.readNamespacedConfigMap({ name: 'hello', namespace: 'deployer-ns' });
    expect(applied.data).toEqual({ greeting: 'certificate' });
    // The certificate's user (CN) is who the apiserver saw: RBAC refuses the unbound one by name.
    expect(stranger.phase).toBe('Failed');
    expect(stranger.message).toMatch(/tidewater-stranger|forbidden/i);
    expect(forged.phase).toBe('Failed');
    expect(forged.message).toMatch(/401|unauthori[sz]ed/i);
    await expect(core.readNamespace({ name: 'stranger-ns' })).rejects.toMatchObject({ code: 404 });
    await expect(core.readNamespace({ name: 'forged-ns' })).rejects.toMatchObject({ code: 404 });
    // No key material in what an operator reads.
    for (const result of [deployer, stranger, forged]) expect(JSON.stringify(result)).not.toContain(deployerKey.split('\n')[1]);
  }, 240_000);
});
