import type { Redis } from 'ioredis';
import { usesGit, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
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

/** The renderer's git ApplicationSet loop: evaluate each set at start and when it changes, then on each push; keep the config view fresh. */
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
  // An ApplicationSet that is new or changed (a configuration reload, a Cluster document it reads) is evaluated
  // at once rather than at the next push: each git set's inputs are fingerprinted on every tick.
  const fingerprints = new Map<string, string>();
  const reported = new Map<string, string>();
  let evaluating = false;
  const evaluateChanged = async () => {
    if (evaluating) return;
    evaluating = true;
    try {
      const config = deps.config();
      for (const applicationSet of (config.applicationSets ?? []).filter((set) => set.spec.generators.some(usesGit))) {
        const fingerprint = JSON.stringify([applicationSet, config.clusters]);
        if (fingerprints.get(applicationSet.metadata.name) === fingerprint) continue;
        await evaluator.evaluate(applicationSet);
        fingerprints.set(applicationSet.metadata.name, fingerprint);
      }
      // Sets evaluated at load (list, clusters) report their problems as warnings in every service; the
      // renderer alone also publishes them as events, once per distinct problem list.
      for (const report of (config.applicationSetReports ?? []).filter((candidate) => candidate.evaluatedBy === 'loader')) {
        const fingerprint = JSON.stringify(report.problems);
        if (reported.get(report.name) === fingerprint) continue;
        reported.set(report.name, fingerprint);
        if (report.problems.length === 0) continue;
        await deps.events.publish({ type: eventTypes.applicationSetFailed, subject: report.name, data: { applicationSet: report.name, problem: report.problems.join('; ') } });
      }
    } catch (error) {
      deps.logger.warn({ reason: (error as Error).message }, 'applicationset evaluation failed');
    } finally {
      evaluating = false;
    }
  };
  void evaluateChanged();
  const timer = setInterval(() => {
    void refresh();
    void evaluateChanged();
  }, deps.refreshMs ?? 1_000);
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
