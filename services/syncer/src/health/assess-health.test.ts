import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';
import { healthRelevant } from './health-relevance.ts';
import { unknownHealth } from './health-assessment.ts';

describe('assessHealth', () => {
  it.each([
    ['v1', 'ConfigMap'],
    ['v1', 'Secret'],
    ['v1', 'ServiceAccount'],
    ['rbac.authorization.k8s.io/v1', 'Role'],
    ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
    ['networking.k8s.io/v1', 'NetworkPolicy'],
    ['policy/v1', 'PodDisruptionBudget'],
  ])('%s %s has no health notion: Healthy', (apiVersion, kind) => {
    expect(assessHealth({ apiVersion, kind, metadata: { name: 'x', namespace: 'web' }, data: { key: 'value' } })).toEqual({ status: 'Healthy' });
  });

  it('is Progressing for any object pending deletion (finalizers still running)', () => {
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', deletionTimestamp: '2025-03-01T10:00:00Z', finalizers: ['example.com/cleanup'] } };
    expect(assessHealth(configMap)).toEqual({ status: 'Progressing', message: 'Pending deletion' });
  });

  it('is Unknown for something that is not a Kubernetes object', () => {
    expect(assessHealth({ metadata: { name: 'x' } })).toEqual({ status: 'Unknown', message: 'The object has no apiVersion or kind' });
  });

  it('does not throw on fields of the wrong shape', () => {
    const garbled = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x', generation: '2' }, spec: 'nonsense', status: { conditions: 'nope', replicas: null } };
    expect(() => assessHealth(garbled)).not.toThrow();
    const garbledPod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { phase: 'Running', containerStatuses: [null, 3, { state: 'x' }] } };
    expect(assessHealth(garbledPod).status).toBe('Progressing');
  });

  it('offers Unknown for objects that could not be read', () => {
    expect(unknownHealth('CRD widgets.example.com is not installed')).toEqual({ status: 'Unknown', message: 'CRD widgets.example.com is not installed' });
  });
});

describe('healthRelevant', () => {
  it('leaves out kinds that are healthy whenever they exist', () => {
    expect(healthRelevant('ConfigMap', '')).toBe(false);
    expect(healthRelevant('RoleBinding', 'rbac.authorization.k8s.io')).toBe(false);
    expect(healthRelevant('Deployment', 'apps')).toBe(true);
    expect(healthRelevant('VirtualMachine', 'kubevirt.io')).toBe(true);
    expect(healthRelevant('Widget', 'example.com')).toBe(true);
  });
});
