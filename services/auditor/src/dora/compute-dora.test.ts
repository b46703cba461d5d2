import { describe, expect, it } from 'vitest';
import type { ArgoApplication } from '@tidewater/config';
import { makeCloudEvent, type CloudEvent } from '@tidewater/events';
import { computeDora } from './compute-dora.ts';
import { environmentFromApplication, environmentFromSuffix } from './environment.ts';

function at(time: string, type: string, data: Record<string, unknown>): { event: CloudEvent } {
  return { event: { ...makeCloudEvent('/test', { type: `dev.tidewater.${type}`, data }), time: `2025-${time}:00Z` } };
}

/**
 * Hand-computed fixture, window 2025-03-01 → 2025-03-08 (7 days).
 *
 * web-prod (environment from the name suffix):
 *   02-28 r0 deployed before the window (sets the previous revision, not counted)
 *   03-01 10:00 r1 deployed, commitTime 08:00                 → deployment 1, lead 7200 s
 *   03-01 11:00 r1 synced again                                → re-sync: successfulSyncs only
 *   03-02 10:00 r2 deployed, no commitTime, webhook at 09:30   → deployment 2, lead 1800 s
 *   03-02 10:30 health Degraded                                → r2 is a failed change; outage starts
 *   03-02 11:00 rollback requested                             → same failure, counted once
 *   03-02 11:30 r1 deployed (the rollback), commitTime 03-01 08:00 → deployment 3, lead 99000 s; restored after 3600 s
 *   03-03 10:00 / 10:05 r3 sync failed twice                   → one failed change; outage starts 10:00
 *   03-03 10:20 r3 deployed, commitTime 09:50                  → deployment 4, lead 1800 s; restored after 1200 s
 *   03-05 10:00 r4 sync failed                                 → failed change; still open at the window's end
 *   03-08 01:00 r4 deployed                                    → after the window: ignored
 *   deployments 4, syncs 5, attempts 4 + 2 = 6, failed 1 + 2 = 3 → CFR 0.5; frequency 4/7 per day;
 *   lead [1800, 1800, 7200, 99000] → median 4500, mean 27450; restore [3600, 1200] → median 2400, mean 2400; open 1.
 *
 * api (environment `staging` from the label in the event data):
 *   03-04 12:00 webhook r9, 12:10 r9 deployed → lead 600 s; 13:00 Degraded → failed; 13:45 Healthy → restored after 2700 s.
 *   A webhook for r2 naming api only (03-02 08:00) must not change web-prod's lead time.
 *
 * billing (environment `dev` from the destination namespace): one deployment, no commit time, no webhook.
 */
const fixture = [
  at('02-28T12:00', 'sync.succeeded', { app: 'web-prod', revision: 'r0' }),
  at('03-01T09:00', 'webhook.received', { apps: ['web-prod'], revision: 'r1' }),
  at('03-01T10:00', 'sync.succeeded', { app: 'web-prod', revision: 'r1', commitTime: '2025-03-01T08:00:00Z' }),
  at('03-01T11:00', 'sync.succeeded', { app: 'web-prod', revision: 'r1', commitTime: '2025-03-01T08:00:00Z' }),
  at('03-02T08:00', 'webhook.received', { apps: ['api'], revision: 'r2' }),
  at('03-02T09:30', 'webhook.received', { apps: ['web-prod'], revision: 'r2' }),
  at('03-02T10:00', 'sync.succeeded', { app: 'web-prod', revision: 'r2' }),
  at('03-02T10:30', 'health.changed', { app: 'web-prod', revision: 'r2', health: 'Degraded' }),
  at('03-02T11:00', 'rollback.requested', { app: 'web-prod', revision: 'r1', actor: 'oncall' }),
  at('03-02T11:30', 'sync.succeeded', { app: 'web-prod', revision: 'r1', commitTime: '2025-03-01T08:00:00Z' }),
  at('03-03T10:00', 'sync.failed', { app: 'web-prod', revision: 'r3' }),
  at('03-03T10:05', 'sync.failed', { app: 'web-prod', revision: 'r3' }),
  at('03-03T10:20', 'sync.succeeded', { app: 'web-prod', revision: 'r3', commitTime: '2025-03-03T09:50:00Z' }),
  at('03-05T10:00', 'sync.failed', { app: 'web-prod', revision: 'r4' }),
  at('03-08T01:00', 'sync.succeeded', { app: 'web-prod', revision: 'r4' }),

  at('03-04T12:00', 'webhook.received', { apps: ['api'], revision: 'r9' }),
  at('03-04T12:05', 'render.succeeded', { app: 'api', revision: 'r9' }),
  at('03-04T12:10', 'sync.succeeded', { app: 'api', revision: 'r9', labels: { 'tidewater.dev/environment': 'staging' } }),
  at('03-04T13:00', 'health.changed', { app: 'api', revision: 'r9', health: 'Degraded' }),
  at('03-04T13:45', 'health.changed', { app: 'api', revision: 'r9', health: 'Healthy' }),

  at('03-06T15:00', 'sync.succeeded', { app: 'billing', revision: 'b1', destination: { namespace: 'billing-dev' } }),
];

const window = { from: '2025-03-01T00:00:00Z', to: '2025-03-08T00:00:00Z' };

describe('computeDora', () => {
  it('matches the hand-computed fixture', () => {
    const shuffled = [...fixture].reverse();
    const report = computeDora(shuffled, window);
    expect(report.days).toBe(7);
    expect(report.groups).toEqual([
      {
        app: 'api', environment: 'staging',
        deployments: 1, successfulSyncs: 1, deploymentFrequencyPerDay: 1 / 7,
        leadTimeForChanges: { samples: 1, medianSeconds: 600, meanSeconds: 600 },
        changeFailureRate: 1, failedChanges: 1, changeAttempts: 1,
        timeToRestore: { samples: 1, medianSeconds: 2700, meanSeconds: 2700, openFailures: 0 },
      },
      {
        app: 'billing', environment: 'dev',
        deployments: 1, successfulSyncs: 1, deploymentFrequencyPerDay: 1 / 7,
        leadTimeForChanges: { samples: 0, medianSeconds: null, meanSeconds: null },
        changeFailureRate: 0, failedChanges: 0, changeAttempts: 1,
        timeToRestore: { samples: 0, medianSeconds: null, meanSeconds: null, openFailures: 0 },
      },
      {
        app: 'web-prod', environment: 'prod',
        deployments: 4, successfulSyncs: 5, deploymentFrequencyPerDay: 4 / 7,
        leadTimeForChanges: { samples: 4, medianSeconds: 4500, meanSeconds: 27450 },
        changeFailureRate: 0.5, failedChanges: 3, changeAttempts: 6,
        timeToRestore: { samples: 2, medianSeconds: 2400, meanSeconds: 2400, openFailures: 1 },
      },
    ]);
  });

  it('takes the environment from the configuration first', () => {
    const report = computeDora(fixture, { ...window, environmentOf: (app) => (app === 'web-prod' ? 'production' : undefined) });
    expect(report.groups.map((group) => [group.app, group.environment])).toEqual([['api', 'staging'], ['billing', 'dev'], ['web-prod', 'production']]);
  });

  it('counts only what falls in the window', () => {
    const report = computeDora(fixture, { from: '2025-03-03T00:00:00Z', to: '2025-03-04T00:00:00Z' });
    const web = report.groups.find((group) => group.app === 'web-prod');
    expect(web).toMatchObject({ deployments: 1, successfulSyncs: 1, changeAttempts: 2, failedChanges: 1, changeFailureRate: 0.5 });
    expect(web?.timeToRestore).toEqual({ samples: 1, medianSeconds: 1200, meanSeconds: 1200, openFailures: 0 });
  });
});

describe('environment rules', () => {
  it('reads label, annotation, destination namespace, then the app name', () => {
    const application = (name: string, namespace: string, metadata: Partial<ArgoApplication['metadata']> = {}) => ({
      apiVersion: 'argoproj.io/v1alpha1', kind: 'Application',
      metadata: { name, ...metadata },
      spec: { project: 'default', source: { repoURL: 'https://git.example/x.git', path: '.' }, destination: { server: 'https://k', namespace } },
    }) as unknown as ArgoApplication;
    expect(environmentFromApplication(application('web', 'web-prod', { labels: { 'tidewater.dev/environment': 'eu-prod' } }))).toBe('eu-prod');
    expect(environmentFromApplication(application('web', 'web', { annotations: { 'tidewater.dev/environment': 'qa' } }))).toBe('qa');
    expect(environmentFromApplication(application('web', 'shop-staging'))).toBe('staging');
    expect(environmentFromApplication(application('web-dev', 'shop'))).toBe('dev');
    expect(environmentFromApplication(application('web', 'shop'))).toBe('unknown');
    expect(environmentFromSuffix('prod')).toBe('prod');
    expect(environmentFromSuffix('product')).toBeUndefined();
  });
});
