import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startCluster, type TestCluster } from '../harness/src/index.ts';

const deployDir = join(repoRoot, 'deploy/kubernetes');
const manifests = readdirSync(deployDir).filter((f) => f.endsWith('.yaml')).sort().flatMap((file) =>
  parseAllDocuments(readFileSync(join(deployDir, file), 'utf8')).map((doc) => ({ file, object: doc.toJS() as Record<string, unknown> })))
  .filter(({ object }) => object);

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
});
