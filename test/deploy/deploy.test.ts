import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig, secretScopeFromEnv } from '@tidewater/config';
import { repoRoot, startCluster, type TestCluster } from '../harness/src/index.ts';

const deployDir = join(repoRoot, 'deploy/kubernetes');
const manifests = readdirSync(deployDir).filter((f) => f.endsWith('.yaml')).sort().flatMap((file) =>
  parseAllDocuments(readFileSync(join(deployDir, file), 'utf8')).map((doc) => ({ file, object: doc.toJS() as Record<string, unknown> })))
  .filter(({ object }) => object);

// deploy/kubernetes is generated from the Helm chart (scripts/render-deploy); helm-chart.test.ts checks it is current.
describe('deploy/kubernetes', () => {
  let cluster: TestCluster;
  beforeAll(async () => { cluster = await startCluster({ name: 'deploy' }); });
  afterAll(async () => { await cluster?.stop(); });

  it('passes a server-side dry-run on a real apiserver', async () => {
    // The namespace must exist for the namespaced objects' dry-run; create it for real, dry-run the rest.
    const [namespace, ...rest] = manifests;
    expect(namespace.object.kind).toBe('Namespace');
    await cluster.apply(namespace.object);
    for (const { file, object } of rest) {
      const result = await cluster.apply(object, { dryRun: true }).catch((error: Error) => { throw new Error(`${file}: ${error.message}`); });
      expect(result.kind).toBe(object.kind);
    }
  });

  it('mounts a Kubernetes token only into the syncer', () => {
    const deployments = manifests.filter(({ object }) => object.kind === 'Deployment').map(({ object }) => object as {
      metadata: { name: string }; spec: { template: { spec: { automountServiceAccountToken?: boolean } } };
    });
    const withToken = deployments.filter((d) => d.spec.template.spec.automountServiceAccountToken !== false).map((d) => d.metadata.name);
    expect(withToken).toEqual(['tidewater-syncer']);
  });

  interface PodSpec {
    containers: Array<{ name: string; args?: string[]; env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
    volumes?: Array<{ name: string; secret?: { secretName: string } }>;
  }
  const workloads = () => manifests.filter(({ object }) => object.kind === 'Deployment' || object.kind === 'StatefulSet').map(({ object }) => object as {
    metadata: { name: string }; spec: { template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
  });
  const tidewaterWorkloads = () => workloads().filter((workload) => workload.metadata.name !== 'tidewater-redis');
  const envOf = (spec: PodSpec, name: string) => spec.containers[0].env?.find((entry) => entry.name === name);
  const mountsSecret = (spec: PodSpec, secretName: string, path: string) => {
    const volume = spec.volumes?.find((candidate) => candidate.secret?.secretName === secretName);
    return !!volume && !!spec.containers[0].volumeMounts?.some((mount) => mount.name === volume.name && path.startsWith(`${mount.mountPath}/`));
  };

  it('runs Redis with a password from a Secret, and every service reads it through REDIS_PASSWORD_FILE', () => {
    const redis = workloads().find((workload) => workload.metadata.name === 'tidewater-redis')!.spec.template.spec;
    expect(redis.containers[0].args).toEqual(expect.arrayContaining(['--requirepass', '$(REDIS_PASSWORD)']));
    expect(envOf(redis, 'REDIS_PASSWORD')?.valueFrom?.secretKeyRef).toEqual({ name: 'tidewater-redis', key: 'password' });
    expect(envOf(redis, 'REDISCLI_AUTH')?.valueFrom?.secretKeyRef).toEqual({ name: 'tidewater-redis', key: 'password' });
    expect(tidewaterWorkloads().map((workload) => workload.metadata.name).sort())
      .toEqual(['tidewater-api', 'tidewater-auditor', 'tidewater-gateway', 'tidewater-notifier', 'tidewater-promoter', 'tidewater-renderer', 'tidewater-syncer']);
    for (const workload of tidewaterWorkloads()) {
      const spec = workload.spec.template.spec;
      expect(envOf(spec, 'REDIS_URL')?.value, workload.metadata.name).toMatch(/^rediss?:\/\/[^@]*$/); // no password in the URL
      const passwordFile = envOf(spec, 'REDIS_PASSWORD_FILE')?.value ?? '';
      expect(mountsSecret(spec, 'tidewater-redis', passwordFile), workload.metadata.name).toBe(true);
    }
  });

  it('admits only Tidewater\'s pods to Redis', () => {
    const policy = manifests.find(({ object }) => object.kind === 'NetworkPolicy')?.object as {
      spec: { podSelector: { matchLabels: Record<string, string> }; policyTypes: string[];
        ingress: Array<{ from: Array<{ podSelector: { matchExpressions: Array<{ key: string; operator: string; values: string[] }> } }>; ports: Array<{ port: number }> }> };
    };
    expect(policy.spec.podSelector.matchLabels['app.kubernetes.io/name']).toBe('tidewater-redis');
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    const admits = (labels: Record<string, string>) => policy.spec.ingress.some((rule) => rule.from.some(({ podSelector }) =>
      podSelector.matchExpressions.every((expression) => expression.operator === 'In' && expression.values.includes(labels[expression.key]))));
    for (const workload of tidewaterWorkloads()) expect(admits(workload.spec.template.metadata.labels), workload.metadata.name).toBe(true);
    expect(admits({ 'app.kubernetes.io/name': 'some-other-app' })).toBe(false);
    expect(admits({ 'app.kubernetes.io/instance': 'tidewater', 'app.kubernetes.io/component': 'debug-shell' })).toBe(false);
    expect(admits({ 'app.kubernetes.io/instance': 'other-release', 'app.kubernetes.io/component': 'gateway' })).toBe(false);
    expect(admits({ 'app.kubernetes.io/part-of': 'tidewater' })).toBe(false);
    expect(policy.spec.ingress.flatMap((rule) => rule.ports.map((port) => port.port))).toEqual([6379]);
  });

  it('gives the bundle signing key to the renderer and the syncer only', () => {
    const holders = tidewaterWorkloads().filter((workload) => workload.spec.template.spec.volumes?.some((volume) => volume.secret?.secretName === 'tidewater-bundle-key'));
    expect(holders.map((workload) => workload.metadata.name).sort()).toEqual(['tidewater-renderer', 'tidewater-syncer']);
    for (const holder of holders) {
      const spec = holder.spec.template.spec;
      expect(mountsSecret(spec, 'tidewater-bundle-key', envOf(spec, 'TIDEWATER_BUNDLE_KEY_FILE')?.value ?? '')).toBe(true);
    }
  });

  it('ships a configuration that loads with the default secret scope', () => {
    const configMap = manifests.find(({ object }) => object.kind === 'ConfigMap')?.object as { data: Record<string, string> };
    const { errors } = buildConfig(Object.entries(configMap.data).map(([file, text]) => ({ file, text })), { secretScope: secretScopeFromEnv({}) });
    expect(errors.map((error) => error.message)).toEqual([]);
  });
});
