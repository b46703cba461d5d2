import type { KubernetesObject } from '@tidewater/queues';

export const benchLabel = 'bench.tidewater.dev/set';

/** A ConfigMap of a few hundred bytes, like an app's settings. */
export function benchConfigMap(namespace: string, index: number, set: string): KubernetesObject {
  const name = `settings-${String(index).padStart(4, '0')}`;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace, labels: { [benchLabel]: set, 'app.kubernetes.io/part-of': 'bench' } },
    data: {
      'LOG_LEVEL': 'info',
      'FEATURE_FLAGS': `checkout-v2,search-${index % 7},recommendations`,
      'UPSTREAM_URL': `http://backend-${index % 20}.${namespace}.svc.cluster.local:8080`,
      'settings.yaml': `replicas: ${1 + (index % 3)}\ncache:\n  ttlSeconds: ${60 * (1 + (index % 5))}\n  size: 512Mi\nretries: 3\n`,
    },
  };
}

/** A Deployment with a realistic pod template (probes, resources, env from a ConfigMap). */
export function benchDeployment(namespace: string, index: number, set: string): KubernetesObject {
  const name = `service-${String(index).padStart(4, '0')}`;
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': 'bench' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels: { ...labels, [benchLabel]: set } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { 'app.kubernetes.io/name': name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [{
            name: 'app',
            image: `registry.example.com/team/${name}:1.${index % 10}.0`,
            ports: [{ name: 'http', containerPort: 8080 }],
            envFrom: [{ configMapRef: { name: `settings-${String(index).padStart(4, '0')}` } }],
            resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } },
            readinessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 5 },
          }],
        },
      },
    },
  };
}

/** `configMaps` ConfigMaps and `deployments` Deployments in each of `namespaces`. */
export function benchObjects(options: { namespaces: readonly string[]; configMaps: number; deployments: number; set: string }): KubernetesObject[] {
  return options.namespaces.flatMap((namespace) => [
    ...Array.from({ length: options.configMaps }, (_, index) => benchConfigMap(namespace, index, options.set)),
    ...Array.from({ length: options.deployments }, (_, index) => benchDeployment(namespace, index, options.set)),
  ]);
}
