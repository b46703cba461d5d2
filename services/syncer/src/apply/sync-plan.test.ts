import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@tidewater/queues';
import { desiredManifest, orderSteps, type PlannedObject } from './sync-plan.ts';
import { trackingAnnotation, trackingLabel } from './tracking.ts';

function planned(kind: string, name: string, wave = 0, group = ''): PlannedObject {
  const namespaced = !['Namespace', 'CustomResourceDefinition', 'ClusterRole'].includes(kind);
  return {
    ref: { group, version: 'v1', kind, name, namespace: namespaced ? 'demo' : undefined },
    info: { resource: `${kind.toLowerCase()}s`, namespaced },
    manifest: { apiVersion: 'v1', kind, metadata: { name } },
    wave,
  };
}

describe('orderSteps', () => {
  it('puts namespaces, then CRDs, then waves in ascending order, each in Argo CD kind order', () => {
    const steps = orderSteps([
      planned('Deployment', 'web', 0, 'apps'),
      planned('Widget', 'w', 0, 'example.com'),
      planned('ConfigMap', 'late', 3),
      planned('CustomResourceDefinition', 'widgets.example.com', 5, 'apiextensions.k8s.io'),
      planned('Service', 'web'),
      planned('ServiceAccount', 'web'),
      planned('Namespace', 'demo', 2),
      planned('Job', 'migrate', -1, 'batch'),
      planned('ConfigMap', 'a'),
      planned('ClusterRole', 'reader', 0, 'rbac.authorization.k8s.io'),
    ]);
    expect(steps.map((step) => [step.phase, step.wave, step.objects.map((object) => `${object.ref.kind}/${object.ref.name}`)])).toEqual([
      ['namespaces', 2, ['Namespace/demo']],
      ['crds', 5, ['CustomResourceDefinition/widgets.example.com']],
      ['wave', -1, ['Job/migrate']],
      ['wave', 0, ['ServiceAccount/web', 'ConfigMap/a', 'ClusterRole/reader', 'Service/web', 'Deployment/web', 'Widget/w']],
      ['wave', 3, ['ConfigMap/late']],
    ]);
  });
});

describe('desiredManifest', () => {
  const rendered: KubernetesObject = {
    apiVersion: 'v1', kind: 'ConfigMap',
    metadata: { name: 'web', labels: { team: 'a' }, resourceVersion: '42', uid: 'abc', creationTimestamp: '2024-01-01T00:00:00Z' },
    data: { key: 'value' },
  };

  it('fills in the namespace, drops server-owned metadata and adds tracking, without touching the rendered object', () => {
    const manifest = desiredManifest(rendered, 'shop', { group: '', version: 'v1', kind: 'ConfigMap', namespace: 'prod', name: 'web' }, true);
    expect(manifest.metadata).toEqual({
      name: 'web', namespace: 'prod',
      labels: { team: 'a', [trackingLabel]: 'shop' },
      annotations: { [trackingAnnotation]: 'shop:/ConfigMap:prod/web' },
    });
    expect(rendered.metadata.resourceVersion).toBe('42');
    expect(rendered.metadata.namespace).toBeUndefined();
  });

  it('removes a namespace from a cluster-scoped object', () => {
    const manifest = desiredManifest({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'oops' } }, 'shop',
      { group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', name: 'r' }, false);
    expect(manifest.metadata.namespace).toBeUndefined();
    expect(manifest.metadata.annotations?.[trackingAnnotation]).toBe('shop:rbac.authorization.k8s.io/ClusterRole:/r');
  });
});
