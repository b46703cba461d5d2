import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

describe('Namespace health', () => {
  it('is Healthy when Active, Progressing when Terminating', () => {
    const namespace = (phase: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'guestbook-dev' }, spec: { finalizers: ['kubernetes'] }, status: { phase } });
    expect(assessHealth(namespace('Active'))).toEqual({ status: 'Healthy' });
    expect(assessHealth(namespace('Terminating')).status).toBe('Progressing');
  });
});

describe('CustomResourceDefinition health', () => {
  const definition = (conditions: Array<Record<string, unknown>>) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com', generation: 1 },
    spec: { group: 'example.com', names: { kind: 'Widget', plural: 'widgets' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true }] },
    status: { acceptedNames: { kind: 'Widget', plural: 'widgets' }, conditions, storedVersions: ['v1'] },
  });
  const namesAccepted = { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' };
  const established = { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' };

  it('is Healthy when Established', () => {
    expect(assessHealth(definition([namesAccepted, established])).status).toBe('Healthy');
  });

  it('is Degraded when names conflict or it is not established; Progressing without conditions', () => {
    expect(assessHealth(definition([{ type: 'NamesAccepted', status: 'False', reason: 'PluralConflict', message: '"widgets" is already in use' }, { ...established, status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }]))).toEqual({
      status: 'Degraded', message: 'CRD names have not been accepted: "widgets" is already in use',
    });
    expect(assessHealth(definition([namesAccepted, { ...established, status: 'False', reason: 'Installing', message: 'the initial names have not been accepted' }])).status).toBe('Degraded');
    expect(assessHealth(definition([])).status).toBe('Progressing');
  });
});

describe('APIService health', () => {
  it('is Healthy when Available, Progressing otherwise', () => {
    const apiService = (status: string, reason: string, message: string) => ({
      apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: 'v1beta1.metrics.k8s.io' },
      spec: { group: 'metrics.k8s.io', version: 'v1beta1', service: { name: 'metrics-server', namespace: 'kube-system' } },
      status: { conditions: [{ type: 'Available', status, reason, message }] },
    });
    expect(assessHealth(apiService('True', 'Passed', 'all checks passed')).status).toBe('Healthy');
    expect(assessHealth(apiService('False', 'MissingEndpoints', 'endpoints for service/metrics-server in "kube-system" have no addresses'))).toEqual({
      status: 'Progressing', message: 'endpoints for service/metrics-server in "kube-system" have no addresses',
    });
  });
});
