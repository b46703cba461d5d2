import type { Redis } from 'ioredis';
import { createEventConsumer, eventTypes, type EventConsumer } from '@tidewater/events';
import type { Logger } from '@tidewater/telemetry';
import type { GitAppSetEvaluator } from './git-appset-evaluator.ts';

export interface AppSetPushListenerDeps {
  /** A dedicated connection: the consumer blocks on it. */
  redis: Redis;
  evaluator: GitAppSetEvaluator;
  logger: Logger;
  /** Consumer name of this replica (default `renderer-<pid>`). */
  consumer?: string;
  blockMs?: number;
}

/**
 * Re-evaluates git ApplicationSets on every push the gateway accepted: it reads the gateway's
 * `webhook.received` events (which name the repository, even when no Application was queued) through its
 * own consumer group, so replicas share the work and a restart loses no push.
 */
export function createAppSetPushListener(deps: AppSetPushListenerDeps): EventConsumer {
  return createEventConsumer({
    redis: deps.redis,
    group: 'renderer-applicationsets',
    consumer: deps.consumer ?? `renderer-${process.pid}`,
    startId: '$',
    blockMs: deps.blockMs,
    async handle({ event }) {
      if (event.type !== eventTypes.webhookReceived) return;
      const repo = (event.data as { repo?: unknown } | undefined)?.repo;
      if (typeof repo !== 'string' || repo === '') return;
      await deps.evaluator.onPush(repo);
    },
    onError: (error) => deps.logger.warn({ reason: error.message }, 'applicationset push listener error'),
  });
}
