import type { Redis } from 'ioredis';
import type { ArgoApplication } from '@tidewater/config';
import { readAppStates } from '@tidewater/queues';
import type { EventFanout } from '../stream/event-fanout.ts';
import { applicationView } from './application-view.ts';

interface CachedView {
  /** The configured Application the view was built from: a reload makes a new object, so a new view. */
  source: ArgoApplication;
  json: string;
  /** When the view must be rebuilt even without an event. */
  expiresAt: number;
}

export interface ApplicationCache {
  /** The list views (no history or operation) of these apps, as JSON strings, read from Redis only where not cached. */
  listJson(apps: readonly ArgoApplication[]): Promise<string[]>;
  close(): void;
}

/**
 * List views of applications, kept until an event about the app arrives on the events stream (every sync, health,
 * drift and pause change publishes one) or its age (5–10 s at random, a safety net for a write without an event) passes, whichever is first: listing 1,000 apps then costs
 * string joins, not 1,000 Redis reads, schema parses and serialisations.
 */
export function createApplicationCache(deps: { redis: Redis; fanout: EventFanout; maxAgeMs?: number }): ApplicationCache {
  const maxAgeMs = deps.maxAgeMs ?? 10_000;
  const views = new Map<string, CachedView>();
  const unsubscribe = deps.fanout.subscribe(({ event }) => {
    if (typeof event.data.app === 'string') views.delete(event.data.app);
    if (Array.isArray(event.data.apps)) for (const app of event.data.apps) if (typeof app === 'string') views.delete(app);
  });
  return {
    async listJson(apps) {
      const now = Date.now();
      const stale = apps.filter((app) => {
        const cached = views.get(app.metadata.name);
        return !cached || cached.source !== app || now > cached.expiresAt;
      });
      if (stale.length > 0) {
        const states = await readAppStates(deps.redis, stale.map((app) => app.metadata.name));
        // Each view lives between half and all of maxAgeMs: views built together do not all expire together, so the
        // safety-net rebuild is spread over many requests instead of one list rebuilding 1,000 views at once.
        stale.forEach((app, index) => views.set(app.metadata.name, {
          source: app, json: JSON.stringify(applicationView(app, states[index])), expiresAt: now + maxAgeMs * (0.5 + Math.random() * 0.5),
        }));
        if (views.size > 4 * apps.length + 10_000) views.clear();
      }
      return apps.map((app) => (views.get(app.metadata.name) as CachedView).json);
    },
    close: unsubscribe,
  };
}
