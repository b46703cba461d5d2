import { describe, expect, it } from 'vitest';
import { eventTypes, makeCloudEvent } from '@tidewater/events';
import { createTriggerTable, imageDetails, type TriggerDefinition } from './trigger-table.ts';

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

  it('fires the image triggers, whose details name image, old → new tag, digest, commit and pull request', () => {
    expect(fired(eventTypes.imageUpdated, {})).toEqual(['on-image-updated']);
    expect(fired(eventTypes.imageUpdateFailed, { reason: 'x' })).toEqual(['on-image-update-failed']);
    const event = makeCloudEvent('/test', { type: eventTypes.imageUpdated, data: {
      app: 'shop', image: 'ghcr.io/acme/shop', oldTag: '1.0.0', newTag: '1.1.0', newDigest: 'sha256:abc',
      commit: 'd4e5f60718293a4b5c6d7e8f9012345678a1b2c3', pullRequestUrl: 'https://github.com/acme/shop/pull/7',
    } });
    expect(imageDetails(event)).toEqual([
      { label: 'Image', value: 'ghcr.io/acme/shop' }, { label: 'Tag', value: '1.0.0 → 1.1.0' }, { label: 'Digest', value: 'sha256:abc' },
      { label: 'Commit', value: 'd4e5f60' }, { label: 'Pull request', value: 'https://github.com/acme/shop/pull/7' },
    ]);
  });
});
