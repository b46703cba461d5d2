import { stringify } from 'yaml';
import type { KubernetesObject } from '@tidewater/queues';
import { benchConfigMap, benchDeployment } from './apply-objects.ts';

export const pushAnnotation = 'bench.tidewater.dev/push';

function benchService(index: number, set: string): KubernetesObject {
  const name = `service-${String(index).padStart(4, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { 'bench.tidewater.dev/set': set } },
    spec: { selector: { 'app.kubernetes.io/name': name }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  };
}

/**
 * The files of a Kustomize app of 50 objects (30 ConfigMaps, 10 Deployments, 10 Services) whose
 * `commonAnnotations` carry `pushValue`: changing it changes every object.
 */
export function kustomizeAppFiles(options: { namespace: string; set: string; pushValue: string }): Record<string, string> {
  const withoutNamespace = (object: KubernetesObject): KubernetesObject => {
    const { namespace: _namespace, ...metadata } = object.metadata;
    return { ...object, metadata };
  };
  const documents = (objects: KubernetesObject[]) => objects.map((object) => stringify(withoutNamespace(object))).join('---\n');
  return {
    'configmaps.yaml': documents(Array.from({ length: 30 }, (_, index) => benchConfigMap('_', index, options.set))),
    'deployments.yaml': documents(Array.from({ length: 10 }, (_, index) => benchDeployment('_', index, options.set))),
    'services.yaml': documents(Array.from({ length: 10 }, (_, index) => benchService(index, options.set))),
    'kustomization.yaml': kustomization(options.namespace, options.pushValue),
  };
}

export function kustomization(namespace: string, pushValue: string): string {
  return stringify({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace,
    commonAnnotations: { [pushAnnotation]: pushValue },
    resources: ['configmaps.yaml', 'deployments.yaml', 'services.yaml'],
  });
}
