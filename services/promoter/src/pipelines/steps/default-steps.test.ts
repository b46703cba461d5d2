import { describe, expect, it } from 'vitest';
import { buildConfig } from '@tidewater/config';
import type { StoredFreight } from '@tidewater/queues';
import { defaultSteps } from './default-steps.ts';

describe('default steps of a stage fed by an image: source', () => {
  it('set the image in the kustomization at the Application\'s path, not where the derived source policy points', () => {
    const { config, errors } = buildConfig([{ file: 'shop.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop-dev}
spec:
  project: default
  source: {repoURL: 'https://git.example.com/org/shop.git', path: env/dev, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop}
---
apiVersion: tidewater.dev/v1alpha1
kind: Pipeline
metadata: {name: shop}
spec:
  sources: [{name: app, image: {repoURL: registry.example.com/org/shop}}]
  stages: [{name: dev, applications: [shop-dev], freightFrom: {sources: [app]}, autoPromote: true}]
` }]);
    expect(errors).toEqual([]);
    expect(config.imagePolicies?.map((policy) => policy.id)).toEqual(['pipeline:shop:app']);
    const [pipeline] = config.pipelines ?? [];
    const freight: StoredFreight = {
      id: 'a'.repeat(64), alias: 'brave-otter-aaaa', pipeline: 'shop', createdAt: new Date().toISOString(), source: 'app',
      images: [{ source: 'app', repoURL: 'registry.example.com/org/shop', tag: '1.2.0' }], commits: [], charts: [],
    };
    expect(defaultSteps(config, pipeline, pipeline.spec.stages[0], freight)[0]).toEqual({
      uses: 'kustomize-set-image',
      config: { repoURL: 'https://git.example.com/org/shop.git', branch: 'main', path: 'env/dev', images: [{ image: 'registry.example.com/org/shop', name: 'registry.example.com/org/shop' }] },
    });
  });
});
