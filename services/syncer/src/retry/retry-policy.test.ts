import { describe, expect, it } from 'vitest';
import type { ArgoApplication } from '@tidewater/config';
import { planRetry } from './plan-retry.ts';
import { describeAttempt, retryAllowed, retryDelayMs, retryPolicyOf } from './retry-policy.ts';
import { retryConditionsOf } from './retry-waits.ts';

const app = (syncPolicy: ArgoApplication['spec']['syncPolicy']): ArgoApplication => ({
  apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web' },
  spec: { project: 'default', source: { repoURL: 'https://git.example.com/a.git', targetRevision: 'main', path: '.' }, destination: { name: 'in-cluster' }, syncPolicy },
});

describe('syncPolicy.retry as Argo CD reads it', () => {
  it('retries nothing without retry, with limit 0 or without a limit', () => {
    expect(retryPolicyOf(app({ automated: {} }))).toBeUndefined();
    expect(retryPolicyOf(app({ automated: {}, retry: { limit: 0 } }))).toBeUndefined();
    expect(retryPolicyOf(app({ automated: {}, retry: { backoff: { duration: '5s' } } }))).toBeUndefined();
  });

  it('uses Argo CD defaults (5s, factor 2, max 3m) and retries forever on a negative limit', () => {
    expect(retryPolicyOf(app({ retry: { limit: 5 } }))).toEqual({ limit: 5, durationMs: 5_000, factor: 2, maxDurationMs: 180_000 });
    const forever = retryPolicyOf(app({ retry: { limit: -1 } }));
    expect(forever).toMatchObject({ limit: -1 });
    expect(retryAllowed(forever as never, 1_000)).toBe(true);
    expect(describeAttempt(3, -1)).toBe('attempt 3 of unlimited');
  });

  it('backs off exponentially up to maxDuration; durations are Go-style or seconds', () => {
    const policy = retryPolicyOf(app({ retry: { limit: 10, backoff: { duration: '2s', factor: 3, maxDuration: '1m30s' } } }));
    if (!policy || 'invalid' in policy) throw new Error('expected a policy');
    expect([1, 2, 3, 4, 5].map((attempt) => retryDelayMs(policy, attempt))).toEqual([2_000, 6_000, 18_000, 54_000, 90_000]);
    expect(retryPolicyOf(app({ retry: { limit: 1, backoff: { duration: 7 } } }))).toMatchObject({ durationMs: 7_000 });
    expect(retryPolicyOf(app({ retry: { limit: 1, backoff: { duration: '10' } } }))).toMatchObject({ durationMs: 10_000 });
    expect(retryPolicyOf(app({ retry: { limit: 1, backoff: { duration: 'soon' } } }))).toEqual({ invalid: expect.stringContaining('spec.syncPolicy.retry.backoff.duration') });
  });

  it('plans attempt n of limit, and nothing for sync requests, terminated or manual syncs', () => {
    const application = app({ automated: {}, retry: { limit: 2, backoff: { duration: '1s', factor: 1 } } });
    const now = new Date('2030-01-01T00:00:00Z');
    const objects = [{ group: '', kind: 'ConfigMap', namespace: 'team-a', name: 'x', outcome: 'failed' as const, message: 'ConfigMap x in namespace team-a: 404 namespaces "team-a" not found' }];
    const first = planRetry({ application, data: {}, objects, message: 'm', operation: false, terminated: false, now });
    expect(first).toMatchObject({ retryAt: new Date('2030-01-01T00:00:01Z'), state: { attempt: 0, limit: 2, waitingFor: ['namespace team-a'] } });
    expect(first.message).toBe('m; retry attempt 1 of 2 at 2030-01-01T00:00:01.000Z; retried as soon as namespace team-a appears');
    const last = planRetry({ application, data: { retryAttempt: 2 }, objects: [], message: 'm', operation: false, terminated: false, now });
    expect(last).toMatchObject({ message: 'm (retry attempt 2 of 2); no retries left (limit 2)', state: { attempt: 2, limit: 2 } });
    expect(last.retryAt).toBeUndefined();
    for (const input of [{ operation: true, terminated: false }, { operation: false, terminated: true }]) {
      expect(planRetry({ application, data: {}, objects, message: 'm', now, ...input })).toEqual({ message: 'm', conditions: [] });
    }
    expect(planRetry({ application: app({ retry: { limit: 2 } }), data: {}, objects, message: 'm', operation: false, terminated: false })).toEqual({ message: 'm', conditions: [] });
  });

  it('reads what a failed sync waits for: a missing namespace or an unserved kind', () => {
    expect(retryConditionsOf([
      { group: 'example.com', kind: 'Widget', name: 'w', outcome: 'failed', message: 'Widget example.com/w: no kind Widget in group example.com version v1 on cluster prod (is its CRD installed?)' },
      { group: '', kind: 'ConfigMap', namespace: 'late', name: 'c', outcome: 'failed', message: 'ConfigMap c in namespace late: 404 namespaces "late" not found' },
      { group: '', kind: 'ConfigMap', name: 'ok', outcome: 'created' },
    ])).toEqual([
      { kind: 'custom-resource-kind', group: 'example.com', resourceKind: 'Widget' },
      { kind: 'namespace', name: 'late' },
    ]);
  });
});
