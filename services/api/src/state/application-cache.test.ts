import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventPublisher, eventTypes } from '@tidewater/events';
import { redisKeys } from '@tidewater/queues';
import { startApiFixture, type ApiFixture } from '../../../../test/e2e/api-fixture.ts';
import { waitFor } from '../../../../test/harness/src/index.ts';
import { Application } from './application-schema.ts';

describe('the list served from the view cache (production serialisation)', () => {
  let fixture: ApiFixture;
  let admin: string;
  const health = (status: string) => JSON.stringify({ app: 'web-app', status, objects: [], updatedAt: new Date().toISOString() });

  beforeAll(async () => {
    fixture = await startApiFixture({ deps: { validateResponses: false } });
    admin = await fixture.login('admin');
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('answers the documented shape, and a change shows after an event about the app (or at most 10 s)', async () => {
    await fixture.redis.set(redisKeys.appHealth('web-app'), health('Progressing'));
    const list = async () => (await fixture.app.inject({ method: 'GET', url: '/api/v1/applications', headers: { authorization: `Bearer ${admin}` } })).json() as { items: unknown[] };
    const first = await list();
    for (const item of first.items) expect(Application.safeParse(item).success).toBe(true);
    expect(first.items[0]).toMatchObject({ metadata: { name: 'web-app' }, status: { health: { status: 'Progressing' } } });

    await fixture.redis.set(redisKeys.appHealth('web-app'), health('Healthy'));
    const publisher = createEventPublisher({ redis: fixture.redis, source: '/tidewater/syncer' });
    await waitFor('the list to show the new health', async () => {
      await publisher.publish({ type: eventTypes.healthChanged, data: { app: 'web-app', health: 'Healthy' } });
      return ((await list()).items[0] as { status: { health: { status: string } } }).status.health.status === 'Healthy';
    }, { timeoutMs: 10_000, intervalMs: 100 });
  });
});
