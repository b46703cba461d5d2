import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

describe('PersistentVolumeClaim health', () => {
  const claim = (phase: string | undefined) => ({
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name: 'data-postgres-0', namespace: 'db' },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Gi' } }, storageClassName: 'standard', volumeMode: 'Filesystem' },
    status: phase === undefined ? {} : { phase, ...(phase === 'Bound' ? { accessModes: ['ReadWriteOnce'], capacity: { storage: '10Gi' } } : {}) },
  });

  it.each([
    ['Bound', 'Healthy'],
    ['Pending', 'Progressing'],
    ['Lost', 'Degraded'],
    [undefined, 'Unknown'],
  ])('%s → %s', (phase, expected) => {
    expect(assessHealth(claim(phase)).status).toBe(expected);
  });
});

describe('PersistentVolume health', () => {
  it.each([
    ['Available', 'Healthy'],
    ['Bound', 'Healthy'],
    ['Released', 'Healthy'],
    ['Failed', 'Degraded'],
  ])('%s → %s', (phase, expected) => {
    const volume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { capacity: { storage: '10Gi' } }, status: { phase } };
    expect(assessHealth(volume).status).toBe(expected);
  });
});
