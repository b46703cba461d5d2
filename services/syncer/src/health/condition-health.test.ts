import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

// A cert-manager Certificate and a Flux Kustomization: two common custom resources with standard conditions.
function certificate(generation: number, status: Record<string, unknown>) {
  return {
    apiVersion: 'cert-manager.io/v1',
    kind: 'Certificate',
    metadata: { name: 'web-tls', namespace: 'web', generation },
    spec: { secretName: 'web-tls', dnsNames: ['web.example.com'], issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' } },
    status,
  };
}

function kustomization(generation: number, status: Record<string, unknown>) {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'apps', namespace: 'flux-system', generation },
    spec: { interval: '10m', path: './apps', prune: true, sourceRef: { kind: 'GitRepository', name: 'flux-system' } },
    status,
  };
}

describe('custom resources with standard conditions', () => {
  it('is Healthy when Ready is True', () => {
    const status = { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', observedGeneration: 2 }], notAfter: '2025-06-01T00:00:00Z' };
    expect(assessHealth(certificate(2, status))).toEqual({ status: 'Healthy', message: 'Certificate is up to date and has not expired' });
  });

  it('is Degraded when Ready is False for a failure reason', () => {
    const status = { conditions: [{ type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist', observedGeneration: 2 }] };
    expect(assessHealth(certificate(2, status))).toEqual({ status: 'Degraded', message: 'Ready is False: Issuing certificate as Secret does not exist' });
    const flux = { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'False', reason: 'ReconciliationFailed', message: 'kustomize build failed: accumulating resources' }] };
    expect(assessHealth(kustomization(3, flux)).status).toBe('Degraded');
  });

  it('is Progressing when Ready is False for a transient reason, or Unknown', () => {
    const progressing = { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'False', reason: 'DependencyNotReady', message: "dependency 'flux-system/infra' is not ready" }] };
    expect(assessHealth(kustomization(3, progressing)).status).toBe('Progressing');
    const unknown = {
      observedGeneration: 3,
      conditions: [
        { type: 'Reconciling', status: 'True', reason: 'Progressing', message: 'Reconciliation in progress' },
        { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress' },
      ],
    };
    expect(assessHealth(kustomization(3, unknown))).toEqual({ status: 'Progressing', message: 'Ready is Unknown: Reconciliation in progress' });
  });

  it('is Progressing while status.observedGeneration lags metadata.generation, even if Ready is True', () => {
    const status = { observedGeneration: 3, conditions: [{ type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded', message: 'Applied revision: main@sha1:4c1a' }] };
    expect(assessHealth(kustomization(4, status))).toEqual({ status: 'Progressing', message: 'Waiting for the controller to observe generation 4 (observed 3)' });
    // The same lag read from the Ready condition's own observedGeneration.
    const conditionLag = { conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', observedGeneration: 1 }] };
    expect(assessHealth(certificate(2, conditionLag)).status).toBe('Progressing');
  });

  it('is Degraded when Stalled, Progressing while Reconciling', () => {
    const stalled = { observedGeneration: 3, conditions: [{ type: 'Stalled', status: 'True', reason: 'InvalidPath', message: 'path ./apps not found' }, { type: 'Ready', status: 'False', reason: 'InvalidPath' }] };
    expect(assessHealth(kustomization(3, stalled))).toEqual({ status: 'Degraded', message: 'Stalled is True: path ./apps not found' });
    const reconciling = { observedGeneration: 3, conditions: [{ type: 'Reconciling', status: 'True', reason: 'Progressing' }, { type: 'Ready', status: 'True', reason: 'ReconciliationSucceeded' }] };
    expect(assessHealth(kustomization(3, reconciling)).status).toBe('Progressing');
  });

  it('uses Available when there is no Ready condition', () => {
    const available = (status: string, reason: string) => ({
      apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'web', generation: 1 },
      status: { observedGeneration: 1, conditions: [{ type: 'Available', status, reason }] },
    });
    expect(assessHealth(available('True', 'MinimumReplicasAvailable')).status).toBe('Healthy');
    expect(assessHealth(available('False', 'Pending')).status).toBe('Progressing');
    expect(assessHealth(available('False', 'CrashLoop')).status).toBe('Degraded');
  });

  it('is Healthy when the kind has no standard conditions or no status (no health notion)', () => {
    const serviceMonitor = { apiVersion: 'monitoring.coreos.com/v1', kind: 'ServiceMonitor', metadata: { name: 'web', namespace: 'web', generation: 1 }, spec: { endpoints: [{ port: 'http' }] } };
    expect(assessHealth(serviceMonitor)).toEqual({ status: 'Healthy' });
    const customConditions = { ...serviceMonitor, status: { conditions: [{ type: 'Synced', status: 'True' }] } };
    expect(assessHealth(customConditions)).toEqual({ status: 'Healthy' });
  });
});
