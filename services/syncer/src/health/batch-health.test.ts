import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

function job(spec: Record<string, unknown>, status: Record<string, unknown>) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'db-migrate', namespace: 'web', generation: 1 },
    spec: { backoffLimit: 6, completions: 1, parallelism: 1, suspend: false, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image: 'ghcr.io/example/migrate:1' }] } }, ...spec },
    status,
  };
}

describe('Job health', () => {
  it('is Progressing while pods run', () => {
    expect(assessHealth(job({}, { active: 1, ready: 0, startTime: '2025-03-01T10:00:00Z' }))).toEqual({ status: 'Progressing', message: '1 active pod' });
  });

  it('is Healthy when Complete', () => {
    const status = {
      succeeded: 1, completionTime: '2025-03-01T10:01:00Z',
      conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }, { type: 'Complete', status: 'True', lastTransitionTime: '2025-03-01T10:01:00Z' }],
    };
    expect(assessHealth(job({}, status))).toEqual({ status: 'Healthy' });
  });

  it('is Degraded when Failed (or about to fail), with the reason', () => {
    const failed = {
      failed: 7,
      conditions: [
        { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
        { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' },
      ],
    };
    expect(assessHealth(job({}, failed))).toEqual({ status: 'Degraded', message: 'Job has reached the specified backoff limit' });
    const failing = { failed: 7, conditions: [{ type: 'FailureTarget', status: 'True', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' }] };
    expect(assessHealth(job({}, failing)).status).toBe('Degraded');
  });

  it('is Suspended when suspended, by condition or before the controller reacts', () => {
    const status = { conditions: [{ type: 'Suspended', status: 'True', reason: 'JobSuspended', message: 'Job suspended' }] };
    expect(assessHealth(job({ suspend: true }, status))).toEqual({ status: 'Suspended', message: 'Job suspended' });
    expect(assessHealth(job({ suspend: true }, {})).status).toBe('Suspended');
    // A resumed job keeps a Suspended=False condition.
    expect(assessHealth(job({}, { active: 1, conditions: [{ type: 'Suspended', status: 'False', reason: 'JobResumed' }] })).status).toBe('Progressing');
  });
});

describe('CronJob health', () => {
  const cronJob = (suspend: boolean, status: Record<string, unknown>) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'nightly-report', namespace: 'web', generation: 1 },
    spec: { schedule: '0 2 * * *', suspend, concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [] } } } } },
    status,
  });

  it('is Suspended when spec.suspend, else Healthy', () => {
    expect(assessHealth(cronJob(true, {}))).toEqual({ status: 'Suspended', message: 'CronJob is suspended' });
    expect(assessHealth(cronJob(false, {}))).toEqual({ status: 'Healthy' });
    expect(assessHealth(cronJob(false, { lastScheduleTime: '2025-03-01T02:00:00Z', lastSuccessfulTime: '2025-03-01T02:00:41Z' }))).toEqual({
      status: 'Healthy', message: 'Last scheduled at 2025-03-01T02:00:00Z',
    });
  });
});
