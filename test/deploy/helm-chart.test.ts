import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startCluster, toolPath, type TestCluster } from '../harness/src/index.ts';

const run = promisify(execFile);
const chartDir = join(repoRoot, 'deploy/helm/tidewater');

interface K8sObject { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: unknown }
interface Container {
  name: string; env?: Array<{ name: string; value?: string }>; ports?: Array<{ name: string; containerPort: number }>;
  readinessProbe?: { httpGet?: { path: string; port: string } }; livenessProbe?: { httpGet?: { path: string; port: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> }; args?: string[];
}
interface Workload extends K8sObject { spec: { template: { spec: { containers: Container[]; automountServiceAccountToken?: boolean; serviceAccountName: string; volumes?: Array<{ name: string; secret?: { secretName: string } }> } } } }

async function template(args: string[] = [], namespace = 'tidewater'): Promise<K8sObject[]> {
  const { stdout } = await run(toolPath('helm'), ['template', 'tidewater', chartDir, '--namespace', namespace, ...args], { maxBuffer: 16 << 20 });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as K8sObject).filter(Boolean);
}
async function templateError(args: string[]): Promise<string> {
  const error = await template(args).then(() => undefined, (failure: Error & { stderr?: string }) => failure.stderr ?? failure.message);
  expect(error, `helm template ${args.join(' ')} should fail`).toBeDefined();
  return error!;
}
const workloads = (objects: K8sObject[]) => objects.filter((object) => object.kind === 'Deployment' || object.kind === 'StatefulSet') as Workload[];
const named = (objects: K8sObject[], kind: string, name: string) => objects.find((object) => object.kind === kind && object.metadata.name === name);
const envOf = (workload: Workload, name: string) => workload.spec.template.spec.containers[0].env?.find((entry) => entry.name === name)?.value;

describe('deploy/helm/tidewater', () => {
  it('passes helm lint, with defaults and with cluster-wide RBAC and an external Redis', async () => {
    const { stdout } = await run(toolPath('helm'), ['lint', chartDir]);
    expect(stdout).toContain('0 chart(s) failed');
    await run(toolPath('helm'), ['lint', chartDir, '--set', 'rbac.clusterWide=true', '--set', 'redis.enabled=false', '--set', 'externalRedis.url=rediss://redis.example:6380']);
  });

  it('renders one workload per service, probes, resources and metrics ports on every one', async () => {
    const objects = await template();
    const tidewater = workloads(objects).filter((workload) => workload.metadata.name !== 'tidewater-redis');
    expect(tidewater.map((workload) => `${workload.kind}/${workload.metadata.name}`).sort()).toEqual([
      'Deployment/tidewater-api', 'Deployment/tidewater-gateway', 'Deployment/tidewater-notifier', 'Deployment/tidewater-promoter',
      'Deployment/tidewater-renderer', 'Deployment/tidewater-syncer', 'StatefulSet/tidewater-auditor']);
    for (const workload of workloads(objects)) {
      const container = workload.spec.template.spec.containers[0];
      expect(container.readinessProbe, workload.metadata.name).toBeDefined();
      expect(container.livenessProbe, workload.metadata.name).toBeDefined();
      expect(container.resources?.requests?.memory, workload.metadata.name).toBeDefined();
      expect(container.resources?.limits?.memory, workload.metadata.name).toBeDefined();
    }
    // HTTP services probe their own endpoints; workers probe /healthz on the metrics server they start on METRICS_PORT.
    const probe = (name: string) => named(objects, name === 'tidewater-auditor' ? 'StatefulSet' : 'Deployment', name) as Workload;
    expect(probe('tidewater-gateway').spec.template.spec.containers[0].readinessProbe?.httpGet?.path).toBe('/readyz');
    for (const worker of ['tidewater-renderer', 'tidewater-syncer', 'tidewater-notifier', 'tidewater-promoter']) {
      const container = probe(worker).spec.template.spec.containers[0];
      expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
      expect(envOf(probe(worker), 'METRICS_PORT')).toBe(String(container.ports?.find((port) => port.name === 'metrics')?.containerPort));
      expect(named(objects, 'Service', `${worker}-metrics`), worker).toBeDefined();
    }
    expect(objects.filter((object) => object.kind === 'PodDisruptionBudget').length).toBe(8);
    expect(objects.some((object) => object.kind === 'ServiceMonitor')).toBe(false);
  });

  it('runs the bundled Redis with a password from a Secret, AOF and a maxmemory with noeviction', async () => {
    const redis = named(await template(), 'StatefulSet', 'tidewater-redis') as Workload;
    const args = redis.spec.template.spec.containers[0].args!;
    expect(args.join(' ')).toContain('--appendonly yes');
    expect(args.join(' ')).toContain('--maxmemory-policy noeviction');
    expect(args[args.indexOf('--maxmemory') + 1]).toMatch(/^\d+mb$/);
    expect(args.join(' ')).toContain('--requirepass $(REDIS_PASSWORD)');
  });

  it('binds RBAC to the syncer only: a namespaced Role by default, a ClusterRole on opt-in, escalate/bind only when asked', async () => {
    const defaults = await template();
    expect(defaults.filter((object) => object.kind.startsWith('Cluster'))).toEqual([]);
    const binding = named(defaults, 'RoleBinding', 'tidewater-syncer') as unknown as { subjects: unknown[] };
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'tidewater-syncer', namespace: 'tidewater' }]);
    const verbs = (objects: K8sObject[], kind: string) => (named(objects, kind, 'tidewater-syncer') as unknown as { rules: Array<{ verbs: string[] }> }).rules.flatMap((rule) => rule.verbs);
    expect(verbs(defaults, 'Role')).not.toContain('escalate');
    expect(verbs(defaults, 'Role')).not.toContain('bind');
    const wide = await template(['--set', 'rbac.clusterWide=true', '--set', 'rbac.manageRbac=true', '--set', 'rbac.destinationNamespaces={prod,staging}']);
    expect(verbs(wide, 'ClusterRole')).toEqual(expect.arrayContaining(['escalate', 'bind']));
    expect((named(wide, 'ClusterRoleBinding', 'tidewater-syncer') as unknown as { subjects: unknown[] }).subjects)
      .toEqual([{ kind: 'ServiceAccount', name: 'tidewater-syncer', namespace: 'tidewater' }]);
    const tokens = workloads(defaults).filter((workload) => workload.spec.template.spec.automountServiceAccountToken !== false).map((workload) => workload.metadata.name);
    expect(tokens).toEqual(['tidewater-syncer']);
  });

  it('gives the bundle signing key to renderer and syncer only', async () => {
    const holders = workloads(await template()).filter((workload) => workload.spec.template.spec.volumes?.some((volume) => volume.secret?.secretName === 'tidewater-bundle-key'));
    expect(holders.map((workload) => workload.metadata.name).sort()).toEqual(['tidewater-renderer', 'tidewater-syncer']);
  });

  it('connects to an external Redis by URL, password Secret and TLS CA', async () => {
    const objects = await template(['--set', 'redis.enabled=false', '--set', 'externalRedis.url=rediss://redis.example:6380',
      '--set', 'externalRedis.auth.existingSecret=managed-redis', '--set', 'externalRedis.tls.caSecret=managed-redis-ca', '--set', 'externalRedis.username=tidewater']);
    expect(named(objects, 'StatefulSet', 'tidewater-redis')).toBeUndefined();
    for (const workload of workloads(objects)) {
      expect(envOf(workload, 'REDIS_URL')).toBe('rediss://redis.example:6380');
      expect(envOf(workload, 'REDIS_TLS_CA_FILE')).toBe('/var/run/secrets/tidewater-redis-ca/ca.crt');
      expect(envOf(workload, 'REDIS_USERNAME')).toBe('tidewater');
      expect(workload.spec.template.spec.volumes?.map((volume) => volume.secret?.secretName)).toEqual(expect.arrayContaining(['managed-redis', 'managed-redis-ca']));
    }
  });

  it('renders a ServiceMonitor per service with metrics when asked', async () => {
    const monitors = (await template(['--set', 'metrics.serviceMonitor.enabled=true'])).filter((object) => object.kind === 'ServiceMonitor');
    expect(monitors.map((monitor) => monitor.metadata.name).sort()).toEqual(['tidewater-auditor', 'tidewater-gateway', 'tidewater-notifier', 'tidewater-promoter', 'tidewater-renderer', 'tidewater-syncer']);
  });

  it('fails helm template, naming the values, on combinations that cannot work', async () => {
    expect(await templateError(['--set', 'rbac.destinationNamespaces={tidewater,prod}']))
      .toMatch(/rbac\.destinationNamespaces lists "prod".*rbac\.clusterWide=false/);
    expect(await templateError(['--set', 'redis.enabled=false'])).toContain('redis.enabled=false needs externalRedis.url');
    expect(await templateError(['--set', 'redis.enabled=false', '--set', 'externalRedis.url=redis://:hunter2@redis:6379'])).toContain('externalRedis.url must be');
    expect(await templateError(['--set', 'redis.enabled=false', '--set', 'externalRedis.url=redis://redis:6379', '--set', 'externalRedis.tls.caSecret=ca']))
      .toContain('externalRedis.tls.caSecret is set but externalRedis.url is not rediss://');
    expect(await templateError(['--set', 'redis.maxmemory='])).toContain('redis.maxmemory must be set');
    expect(await templateError(['--set', 'secrets.bundleKey.existingSecret='])).toContain('secrets.bundleKey.existingSecret');
  });

  it('is what deploy/kubernetes holds (scripts/render-deploy)', async () => {
    const { stdout } = await run(join(repoRoot, 'scripts/render-deploy'), ['--stdout'], { maxBuffer: 16 << 20 });
    const committed = ['00-namespace.yaml', '10-tidewater.yaml'].map((file) => readFileSync(join(repoRoot, 'deploy/kubernetes', file), 'utf8'));
    expect(`${committed[0]}---\n${committed[1]}`, 'deploy/kubernetes is stale: run scripts/render-deploy').toBe(stdout);
  });

  describe('on a real apiserver', () => {
    let cluster: TestCluster;
    beforeAll(async () => { cluster = await startCluster({ name: 'helm-chart' }); });
    afterAll(async () => { await cluster?.stop(); });

    for (const [label, args] of [
      ['defaults', []],
      ['cluster-wide RBAC, external Redis with TLS', ['--set', 'rbac.clusterWide=true', '--set', 'rbac.manageRbac=true', '--set', 'redis.enabled=false',
        '--set', 'externalRedis.url=rediss://redis.example:6380', '--set', 'externalRedis.auth.existingSecret=managed-redis', '--set', 'externalRedis.tls.caSecret=ca',
        '--set', 'secrets.api.existingSecret=tidewater-api']],
    ] as const) {
      it(`passes a server-side dry-run (${label})`, async () => {
        const namespace = label === 'defaults' ? 'tw-default' : 'tw-wide';
        await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
        const objects = await template([...args], namespace);
        for (const object of objects) {
          const result = await cluster.apply(object, { dryRun: true })
            .catch((error: Error) => { throw new Error(`${object.kind}/${object.metadata.name}: ${error.message}`); });
          expect(result.kind).toBe(object.kind);
        }
      });
    }
  });
});
