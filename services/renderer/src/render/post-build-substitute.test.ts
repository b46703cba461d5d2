import { describe, expect, it } from 'vitest';
import { substituteVariables } from './post-build-substitute.ts';

describe('Flux postBuild substitution', () => {
  it('replaces ${VAR} and defaults, types numbers, leaves $VAR and disabled objects alone', () => {
    const objects = [
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web-${cluster_env}' }, spec: { replicas: '${replicas}', template: { spec: { containers: [{ name: 'web', command: ['sh', '-c', 'echo $HOME'], env: [{ name: 'REGION', value: '${region:=eu-west-1}' }, { name: 'MISSING', value: 'x${missing}y' }] }] } } } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'raw', annotations: { 'kustomize.toolkit.fluxcd.io/substitute': 'disabled' } }, data: { text: '${cluster_env}' } },
    ];
    const [deployment, configMap] = substituteVariables(objects, { cluster_env: 'prod', replicas: '3' }) as Array<Record<string, any>>;
    expect(deployment.metadata.name).toBe('web-prod');
    expect(deployment.spec.replicas).toBe(3);
    const container = deployment.spec.template.spec.containers[0];
    expect(container.command).toEqual(['sh', '-c', 'echo $HOME']);
    expect(container.env).toEqual([{ name: 'REGION', value: 'eu-west-1' }, { name: 'MISSING', value: 'xy' }]);
    expect(configMap.data.text).toBe('${cluster_env}');
  });

  it('keeps strings where Kubernetes wants strings (ConfigMap data, labels, env values)', () => {
    const [configMap] = substituteVariables([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { size: '${replicas}' } }, data: { replicas: '${replicas}', on: '${enabled}' } },
    ], { replicas: '3', enabled: 'true' }) as Array<Record<string, any>>;
    expect(configMap.data).toEqual({ replicas: '3', on: 'true' });
    expect(configMap.metadata.labels).toEqual({ size: '3' });
  });
});
