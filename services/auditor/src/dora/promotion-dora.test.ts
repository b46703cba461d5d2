import { describe, expect, it } from 'vitest';
import { eventTypes, type CloudEvent } from '@tidewater/events';
import { computePromotionDora } from './promotion-dora.ts';

let sequence = 0;
const event = (type: string, minute: number, data: Record<string, unknown>): { event: CloudEvent } => ({
  event: { specversion: '1.0', id: `e${sequence++}`, source: '/tidewater/promoter', type, time: new Date(Date.UTC(2026, 10, 1, 0, minute)).toISOString(), datacontenttype: 'application/json', data },
});
const final = (freight: string, extra: Record<string, unknown> = {}) => ({ pipeline: 'shop', stage: 'production', freight, alias: freight, finalStage: true, ...extra });

describe('DORA of promotions to the last stage', () => {
  it('lead time from freight creation to production, and change failures from failed and rolled-back promotions', () => {
    const records = [
      event(eventTypes.freightCreated, 0, { pipeline: 'shop', freight: 'a', alias: 'a' }),
      // Promotions to earlier stages do not count.
      event(eventTypes.promotionSucceeded, 5, { pipeline: 'shop', stage: 'staging', freight: 'a', alias: 'a', kind: 'auto' }),
      event(eventTypes.promotionStarted, 9, final('a', { kind: 'auto', approvals: [{ user: 'erin', at: 'x' }] })),
      event(eventTypes.promotionSucceeded, 10, final('a', { kind: 'auto', approvals: [{ user: 'erin', at: 'x' }] })),
      event(eventTypes.freightCreated, 20, { pipeline: 'shop', freight: 'b', alias: 'b' }),
      event(eventTypes.promotionStarted, 39, final('b', { kind: 'auto' })),
      event(eventTypes.promotionSucceeded, 40, final('b', { kind: 'auto' })),
      // b is rolled back: a failed change; the rollback itself is no attempt.
      event(eventTypes.promotionStarted, 45, final('a', { kind: 'rollback' })),
      event(eventTypes.promotionSucceeded, 46, final('a', { kind: 'rollback' })),
      event(eventTypes.freightCreated, 50, { pipeline: 'shop', freight: 'c', alias: 'c' }),
      event(eventTypes.promotionStarted, 55, final('c', { kind: 'manual' })),
      event(eventTypes.promotionFailed, 56, final('c', { kind: 'manual', reason: 'git-push: conflict' })),
    ];
    const [metrics] = computePromotionDora(records, { from: Date.UTC(2026, 10, 1), to: Date.UTC(2026, 10, 2) });
    expect(metrics).toMatchObject({
      pipeline: 'shop', stage: 'production', promotions: 2, attempts: 3, failedPromotions: 1, rolledBack: 1, changeFailureRate: 2 / 3,
      leadTime: { samples: 2, medianSeconds: 15 * 60 },
    });
    expect(metrics.deploymentFrequencyPerDay).toBe(2);
  });
});
