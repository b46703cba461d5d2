import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import { imagePoliciesOf, normalizeRepoUrl, pipelineSourcePolicyId, type Pipeline, type TidewaterConfig } from '@tidewater/config';
import { createEventConsumer, eventTypes, type EventConsumer, type EventPublisher } from '@tidewater/events';
import { createProducers, type Producers } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import type { PromoterGit } from '../git/promoter-git.ts';
import { createCelEvaluator } from './cel-evaluator.ts';
import { evaluatePipeline, type EvaluateDeps } from './evaluate-pipeline.ts';
import { recordArtifact, type SourceArtifact } from './freight.ts';
import { createIsAncestor } from './is-ancestor.ts';
import { withPipelineLock } from './pipeline-lock.ts';

export interface PipelineEngineDeps {
  config: () => TidewaterConfig;
  /** A worker connection (commands); the engine opens a blocking one for the events stream with `duplicate()`. */
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  git: PromoterGit;
  cacheDir: string;
  author?: { name: string; email: string };
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  evaluateExpression?: EvaluateDeps['evaluateExpression'];
  /** The safety-net look at every pipeline (default 30 s; 0 turns it off). */
  resyncIntervalMs?: number;
}

export interface PipelineEngine {
  /** An image job decided (and wrote) a new tag for a policy: freight for every pipeline source that uses the policy (or is its `image:` source). */
  imageDecided(input: { policy: string; image: string; tag: string; digest?: string; actor?: string }): Promise<void>;
  /** Evaluates a pipeline now (coalesced: a request during an evaluation runs one more after it). */
  schedule(pipeline: string): Promise<void>;
  /** Resolves when no evaluation is running or asked for (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const promoterAuthor = { name: 'tidewater-promoter', email: 'promoter@tidewater.invalid' };
const appEvents = new Set<string>([eventTypes.syncSucceeded, eventTypes.syncFailed, eventTypes.healthChanged]);

/**
 * The promotion pipelines' engine in the promoter: event-driven (its own consumer group on the events stream: syncs,
 * health, the api's approvals / requests / holds) plus timers for soak and expiry, one evaluation per pipeline at a time.
 */
export function createPipelineEngine(deps: PipelineEngineDeps): PipelineEngine {
  const pipelines = () => deps.config().pipelines ?? [];
  const producers: Producers = createProducers({ connection: deps.redis });
  const evaluateDeps: EvaluateDeps = {
    config: deps.config, redis: deps.redis, events: deps.events, logger: deps.logger, git: deps.git, cacheDir: deps.cacheDir,
    author: deps.author ?? promoterAuthor, producers, isAncestor: createIsAncestor({ git: deps.git, cacheDir: deps.cacheDir }),
    ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}),
    evaluateExpression: deps.evaluateExpression ?? createCelEvaluator(),
  };
  const running = new Map<string, Promise<void>>();
  const dirty = new Set<string>();
  const timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  let closed = false;

  const warned = new Set<string>();
  const warnUnroutedSources = (pipeline: Pipeline) => {
    for (const source of pipeline.spec.sources) {
      const key = `${pipeline.name}/${source.name}`;
      if (warned.has(key) || !source.chart) continue;
      warned.add(key);
      deps.logger.warn({ pipeline: pipeline.name, source: source.name }, 'pipeline source makes no freight yet: chart sources are not followed');
    }
  };

  const timerFor = (name: string, at: number) => {
    const existing = timers.get(name);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      timers.delete(name);
      void schedule(name);
    }, Math.max(0, at - Date.now()));
    timer.unref();
    timers.set(name, { at, timer });
  };

  async function runOnce(name: string): Promise<void> {
    const pipeline = pipelines().find((candidate) => candidate.name === name);
    if (!pipeline) return;
    warnUnroutedSources(pipeline);
    try {
      const result = await withPipelineLock(deps.redis, name, () => evaluatePipeline(evaluateDeps, pipeline));
      if (result.recheckAt !== undefined) timerFor(name, result.recheckAt);
    } catch (error) {
      deps.logger.warn({ pipeline: name, reason: (error as Error).message }, 'pipeline evaluation failed');
      timerFor(name, Date.now() + 5_000);
    }
  }

  function schedule(name: string): Promise<void> {
    if (closed) return Promise.resolve();
    const current = running.get(name);
    if (current) {
      dirty.add(name);
      return current;
    }
    const loop = (async () => {
      do {
        dirty.delete(name);
        await runOnce(name);
      } while (dirty.has(name) && !closed);
    })().finally(() => running.delete(name));
    running.set(name, loop);
    return loop;
  }

  const consumerConnection = deps.redis.duplicate();
  consumerConnection.on('error', (error) => deps.logger.warn({ reason: error.message }, 'pipeline events connection error'));
  const consumer: EventConsumer = createEventConsumer({
    redis: consumerConnection, group: 'promoter-pipelines', consumer: `${hostname()}-${process.pid}`, startId: '$',
    async handle({ event }) {
      const data = event.data as Record<string, unknown>;
      if (typeof data.pipeline === 'string' && event.source !== '/tidewater/promoter' && pipelines().some((pipeline) => pipeline.name === data.pipeline)) {
        void schedule(data.pipeline);
        return;
      }
      if (event.type === eventTypes.promotionSucceeded && typeof data.pipeline === 'string') {
        void schedule(data.pipeline);
        return;
      }
      if (appEvents.has(event.type) && typeof data.app === 'string') {
        for (const pipeline of pipelines()) if (pipeline.spec.stages.some((stage) => stage.applications.includes(data.app as string))) void schedule(pipeline.name);
        return;
      }
      if (event.type === eventTypes.webhookReceived && typeof data.repo === 'string' && typeof data.ref === 'string' && typeof data.revision === 'string') {
        await gitMoved(data.repo, data.ref, data.revision, typeof data.actor === 'string' ? data.actor : undefined);
      }
    },
    onError: (error) => deps.logger.warn({ reason: error.message }, 'pipeline events consumer error'),
  });
  consumer.start();

  async function gitMoved(repo: string, ref: string, revision: string, actor?: string) {
    const branch = ref.replace(/^refs\/heads\//, '');
    for (const pipeline of pipelines()) {
      for (const source of pipeline.spec.sources) {
        if (!source.git || normalizeRepoUrl(source.git.repoURL) !== normalizeRepoUrl(repo) || (source.git.branch ?? 'main') !== branch) continue;
        const artifact: SourceArtifact = { kind: 'commit', source: source.name, repoURL: source.git.repoURL, id: revision, branch, ...(actor ? { author: actor } : {}) };
        await recordArtifact(deps, pipeline.name, artifact, actor);
        void schedule(pipeline.name);
      }
    }
  }

  const resync = deps.resyncIntervalMs ?? 30_000;
  const interval = resync > 0 ? setInterval(() => { for (const pipeline of pipelines()) void schedule(pipeline.name); }, resync) : undefined;
  interval?.unref();
  // A restarted promoter looks at every pipeline once (timers are in memory).
  setTimeout(() => { for (const pipeline of pipelines()) void schedule(pipeline.name); }, 0).unref();

  return {
    async imageDecided(input) {
      const policy = imagePoliciesOf(deps.config()).find((candidate) => candidate.id === input.policy);
      for (const pipeline of pipelines()) {
        let changed = false;
        for (const source of pipeline.spec.sources) {
          // A policy the source names, or the one derived from its `image:` (the repository as the source writes it, for imageFrom()).
          const derived = source.image !== undefined && pipelineSourcePolicyId(pipeline.name, source.name) === input.policy;
          if (source.imagePolicy !== input.policy && !derived) continue;
          const repoURL = derived && source.image ? source.image.repoURL : policy?.image ?? input.image;
          const artifact: SourceArtifact = { kind: 'image', source: source.name, repoURL, tag: input.tag, ...(input.digest ? { digest: input.digest } : {}) };
          const { created } = await recordArtifact(deps, pipeline.name, artifact, input.actor);
          changed ||= created;
        }
        if (changed) void schedule(pipeline.name);
      }
    },
    schedule,
    async idle() {
      while (running.size > 0) await Promise.all(running.values());
    },
    async close() {
      closed = true;
      if (interval) clearInterval(interval);
      for (const { timer } of timers.values()) clearTimeout(timer);
      timers.clear();
      await consumer.stop();
      await Promise.all(running.values());
      consumerConnection.disconnect();
      await producers.close();
    },
  };
}
