import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

function service(type: string, status: Record<string, unknown> = { loadBalancer: {} }) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'web' },
    spec: { type, clusterIP: '10.96.12.4', clusterIPs: ['10.96.12.4'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'web' } },
    status,
  };
}

describe('Service health', () => {
  it.each(['ClusterIP', 'NodePort', 'ExternalName'])('%s is Healthy', (type) => {
    expect(assessHealth(service(type))).toEqual({ status: 'Healthy' });
  });

  it('LoadBalancer is Progressing until it has an address', () => {
    expect(assessHealth(service('LoadBalancer'))).toEqual({ status: 'Progressing', message: 'Waiting for the load balancer to get an address' });
    expect(assessHealth(service('LoadBalancer', { loadBalancer: { ingress: [{ ip: '203.0.113.10', ipMode: 'VIP' }] } }))).toEqual({ status: 'Healthy', message: 'Address 203.0.113.10' });
  });
});

describe('Ingress health', () => {
  const ingress = (status: Record<string, unknown>) => ({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'web', namespace: 'web', generation: 1 },
    spec: { ingressClassName: 'nginx', rules: [{ host: 'web.example.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    status,
  });

  it('is Progressing without an address, Healthy with one', () => {
    expect(assessHealth(ingress({ loadBalancer: {} })).status).toBe('Progressing');
    expect(assessHealth(ingress({ loadBalancer: { ingress: [{ hostname: 'lb-1234.elb.example.com' }] } }))).toEqual({ status: 'Healthy', message: 'Address lb-1234.elb.example.com' });
  });
});
