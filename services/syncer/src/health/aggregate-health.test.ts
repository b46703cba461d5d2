import { describe, it, expect } from 'vitest';
import type { HealthStatus, ObjectHealth } from '@tidewater/queues';
import { aggregateHealth } from './aggregate-health.ts';
import { healthOrder, isWorse, missingHealth } from './health-assessment.ts';

const object = (kind: string, name: string, status: HealthStatus, message?: string, namespace = 'guestbook-dev'): ObjectHealth => ({
  group: kind === 'Deployment' ? 'apps' : '', kind, namespace, name, status, ...(message ? { message } : {}),
});

describe('aggregateHealth', () => {
  it('follows gitops-engine’s order: Healthy < Suspended < Progressing < Missing < Degraded < Unknown', () => {
    expect(healthOrder).toEqual(['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown']);
    for (const [index, status] of healthOrder.entries()) {
      const others = healthOrder.slice(0, index).map((better, position) => object('ConfigMap', `c${position}`, better));
      expect(aggregateHealth([...others, object('Service', 'worst', status)]).status).toBe(status);
      expect(aggregateHealth([object('Service', 'worst', status), ...others]).status).toBe(status);
    }
    expect(isWorse('Progressing', 'Missing')).toBe(true);
    expect(isWorse('Degraded', 'Missing')).toBe(false);
  });

  it('names the worst object in the message', () => {
    const health = aggregateHealth([
      object('Service', 'dev-guestbook', 'Healthy'),
      object('Deployment', 'dev-guestbook', 'Progressing', '1 of 3 updated replicas are available'),
      object('ConfigMap', 'settings', 'Healthy'),
    ]);
    expect(health).toEqual({ status: 'Progressing', message: 'Deployment guestbook-dev/dev-guestbook: Progressing: 1 of 3 updated replicas are available' });
  });

  it('names several worst objects, then counts the rest', () => {
    const health = aggregateHealth([
      object('Pod', 'a', 'Degraded', 'container "web": CrashLoopBackOff'),
      object('Deployment', 'web', 'Progressing'),
      object('Pod', 'b', 'Degraded'),
      object('Namespace', 'guestbook-dev', 'Degraded', 'x', ''),
      object('Pod', 'c', 'Degraded'),
      object('Pod', 'd', 'Degraded'),
    ]);
    expect(health).toEqual({
      status: 'Degraded',
      message: 'Pod guestbook-dev/a: Degraded: container "web": CrashLoopBackOff; Pod guestbook-dev/b: Degraded; Namespace guestbook-dev: Degraded: x; and 2 more',
    });
  });

  it('counts a missing object: the application is never Healthy while one is gone', () => {
    const missing = { group: '', kind: 'Service', namespace: 'guestbook-dev', name: 'dev-guestbook', ...missingHealth() };
    expect(aggregateHealth([object('Deployment', 'dev-guestbook', 'Healthy'), missing])).toEqual({
      status: 'Missing', message: 'Service guestbook-dev/dev-guestbook: Missing: Object does not exist in the cluster',
    });
  });

  it('is Healthy without a message when everything is healthy, and for an empty application', () => {
    expect(aggregateHealth([object('Deployment', 'web', 'Healthy', 'fine')])).toEqual({ status: 'Healthy' });
    expect(aggregateHealth([])).toEqual({ status: 'Healthy' });
  });
});
