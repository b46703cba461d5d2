import { describe, expect, it } from 'vitest';
import { eventTypes, makeCloudEvent } from '@tidewater/events';
import { createTriggerTable, type TriggerDefinition } from './trigger-table.ts';

const fired = (type: string, data: Record<string, unknown>, extra: TriggerDefinition[] = []) =>
  createTriggerTable(extra.length ? extra : undefined).matching(makeCloudEvent('/test', { type, data: { app: 'shop', revision: 'abc', ...data } })).map((trigger) => trigger.name);

describe('triggers', () => {
  it('fires on-sync-succeeded and on-deployed for a successful sync that is healthy or has no health yet', () => {
    expect(fired(eventTypes.syncSucceeded, {})).toEqual(['on-sync-succeeded', 'on-deployed']);
    expect(fired(eventTypes.syncSucceeded, { health: 'Healthy' })).toEqual(['on-sync-succeeded', 'on-deployed']);
    expect(fired(eventTypes.syncSucceeded, { health: 'Progressing' })).toEqual(['on-sync-succeeded']);
  });

  it('fires on-sync-failed, on-health-degraded and on-drift-detected on their events', () => {
    expect(fired(eventTypes.syncFailed, { reason: 'x' })).toEqual(['on-sync-failed']);
    expect(fired(eventTypes.healthChanged, { health: 'Degraded' })).toEqual(['on-health-degraded']);
    expect(fired(eventTypes.healthChanged, { status: 'Degraded' })).toEqual(['on-health-degraded']);
    expect(fired(eventTypes.healthChanged, { health: 'Healthy' })).toEqual([]);
    expect(fired(eventTypes.driftDetected, {})).toEqual(['on-drift-detected']);
    expect(fired(eventTypes.notificationSent, {})).toEqual([]);
  });

  it('takes more rows, such as promotion triggers', () => {
    const promoted: TriggerDefinition = {
      name: 'on-promoted', description: 'a promotion landed', eventTypes: ['dev.tidewater.promotion.succeeded'],
      when: () => true, result: () => 'Promoted', headline: 'was promoted', emoji: ':arrow_up:',
    };
    expect(fired('dev.tidewater.promotion.succeeded', {}, [promoted])).toEqual(['on-promoted']);
  });
});
