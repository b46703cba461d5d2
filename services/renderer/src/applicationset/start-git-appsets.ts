import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import type { EventPublisher } from '@tidewater/events';
import { createRedisConnection, type Producers } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { createGitAppSetEvaluator, type GitAppSetEvaluator } from './git-appset-evaluator.ts';
import { createGitTreeReader } from './git-tree.ts';
import { createAppSetPushListener } from './push-listener.ts';

export interface GitAppSetsDeps {
  config: () => TidewaterConfig;
  redisUrl: string;
  redis: Redis;
  producers: Producers;
  events: EventPublisher;
  logger: Logger;
  cacheDir: string;
  configView: { refresh: () => Promise<unknown> };
  /** How often the config view re-reads published sets (other replicas' evaluations). Default 1 s. */
  refreshMs?: number;
}

/** The renderer's git ApplicationSet loop: evaluate all at start, then on each push; keep the config view fresh. */
export function startGitAppSets(deps: GitAppSetsDeps): { evaluator: GitAppSetEvaluator; stop: () => Promise<void> } {
  const trees = createGitTreeReader({ cacheDir: deps.cacheDir, repositories: () => deps.config().repositories, logger: deps.logger });
  const refresh = () => deps.configView.refresh().catch((error: unknown) => deps.logger.warn({ reason: (error as Error).message }, 'published applicationsets could not be read'));
  const evaluator = createGitAppSetEvaluator({
    config: deps.config, redis: deps.redis, producers: deps.producers, events: deps.events, logger: deps.logger, trees,
    onPublished: refresh,
  });
  const listenerConnection = createRedisConnection(deps.redisUrl, 'worker');
  const listener = createAppSetPushListener({ redis: listenerConnection, evaluator, logger: deps.logger });
  listener.start();
  void evaluator.evaluateAll().catch((error: unknown) => deps.logger.warn({ reason: (error as Error).message }, 'applicationset startup evaluation failed'));
  const timer = setInterval(() => void refresh(), deps.refreshMs ?? 1_000);
  timer.unref();
  return {
    evaluator,
    async stop() {
      clearInterval(timer);
      await listener.stop();
      listenerConnection.disconnect();
    },
  };
}
