import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ArgoApplication, TidewaterConfig } from '@tidewater/config';
import { createEventConsumer, type CloudEvent, type EventPublisher, type StreamEntry } from '@tidewater/events';
import { injectTraceContext, withSpan, type Logger } from '@tidewater/telemetry';
import { loadChannels, type LoadedChannels } from './channels/load-channels.ts';
import { createChannelHealth } from './delivery/channel-health.ts';
import { defaultRetryPolicy, deliveryQueueName, retryDelayMs, unlimitedAttempts, type DeliveryJob, type DeliveryRetryPolicy } from './delivery/delivery-job.ts';
import { notifierKeys } from './delivery/notifier-keys.ts';
import { createOnceKeys } from './delivery/once-keys.ts';
import { processDelivery, type DeliveryResult } from './delivery/process-delivery.ts';
import { createRateLimiter } from './delivery/rate-limiter.ts';
import { eventTraceCarrier } from './events/trace-carrier.ts';
import { resolveTargets, type NotificationTarget } from './subscriptions/resolve-targets.ts';
import { renderMessage } from './templates/render-message.ts';
import { buildTemplateFields } from './templates/template-fields.ts';
import { builtInTriggers, createTriggerTable, type TriggerDefinition } from './triggers/trigger-table.ts';

export interface NotifierDeliveryOptions {
  /**
   * Attempts per message in all. Unset (the default): retried with capped backoff until delivered or until its
   * event is older than `maxAgeMs`, so an outage of Slack or a webhook receiver is waited out.
   */
  attempts?: number;
  /** First retry delay, doubled per attempt up to `maxDelayMs` (default 1 s). */
  baseDelayMs?: number;
  /** Longest wait between attempts unless a Retry-After asks for longer (default 60 s). */
  maxDelayMs?: number;
  /** A message not delivered this long after its event is reported as failed (default 24 h). */
  maxAgeMs?: number;
  /**
   * BullMQ lock of a delivery being sent; a crashed notifier's in-flight delivery is taken over within about
   * this plus half of it (default 10 s).
   */
  lockDurationMs?: number;
  /** A hanging endpoint is cut after this (default 5 s). */
  requestTimeoutMs?: number;
  /** Length of the rate-limit window that `rateLimit.perMinute` counts in (default one minute; tests shorten it). */
  rateLimitWindowMs?: number;
  /** Consecutive messages that failed for good that pause a channel; its messages wait out the pause (default 3). */
  failureThreshold?: number;
  /** How long a failing channel is paused (default 10 min). */
  cooldownMs?: number;
  /** Messages sent at once (default 4). */
  concurrency?: number;
  /** How long the once-per-deploy keys live (default 30 days). */
  onceTtlSeconds?: number;
}

export interface NotifierDeps {
  config: () => TidewaterConfig;
  /** A connection for commands; the notifier duplicates it for its blocking reads and its worker. The caller closes it. */
  redis: Redis;
  logger: Logger;
  events: EventPublisher;
  fetch?: typeof fetch;
  now?: () => number;
  /** Consumer group on the events stream (default `notifier`). */
  group?: string;
  /** This replica's name in the group (default host and pid). */
  consumerName?: string;
  /** Pending events of a crashed replica are taken over after this (default 10 s). */
  claimIdleMs?: number;
  /** Trigger table (default the built-in triggers); promotion triggers are more rows. */
  triggers?: readonly TriggerDefinition[];
  delivery?: NotifierDeliveryOptions;
  /** BullMQ key prefix of the delivery queue. */
  prefix?: string;
  /** Where secret references are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface Notifier {
  /** Consumes the events stream and delivers until stop(). */
  start(): void;
  /**
   * Handles the events available now and waits until the messages they produced are delivered or given up
   * (including retries and rate-limit delays). Returns the number of events handled.
   */
  drainOnce(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * The notifier: reads every event through its consumer group, turns the ones a trigger fires on into one
 * message per subscribed channel — exactly once per (trigger, app, revision, channel) — and delivers them
 * through its own BullMQ queue with retries, Retry-After, per-channel rate limits and channel health.
 */
export function createNotifier(deps: NotifierDeps): Notifier {
  const now = deps.now ?? Date.now;
  const fetchImpl = deps.fetch ?? globalThis.fetch;
  const options = deps.delivery ?? {};
  const retry: DeliveryRetryPolicy = {
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    baseDelayMs: options.baseDelayMs ?? defaultRetryPolicy.baseDelayMs,
    maxDelayMs: options.maxDelayMs ?? defaultRetryPolicy.maxDelayMs,
    maxAgeMs: options.maxAgeMs ?? defaultRetryPolicy.maxAgeMs,
  };
  const lockDurationMs = options.lockDurationMs ?? 10_000;
  const triggers = createTriggerTable(deps.triggers ?? builtInTriggers);
  const logger = deps.logger;
  const onceKeys = createOnceKeys(deps.redis, options.onceTtlSeconds);
  const prefixOption = deps.prefix ? { prefix: deps.prefix } : {};

  // Channels are parsed once per configuration object (a reload replaces it); problems are logged once.
  const loadedByConfig = new WeakMap<TidewaterConfig, LoadedChannels>();
  const reportedByConfig = new WeakMap<TidewaterConfig, Set<string>>();
  function reportOnce(config: TidewaterConfig, problem: string) {
    let reported = reportedByConfig.get(config);
    if (!reported) reportedByConfig.set(config, (reported = new Set()));
    if (reported.has(problem)) return;
    reported.add(problem);
    logger.warn({ problem }, 'notification configuration problem');
  }
  function channelsOf(config: TidewaterConfig): LoadedChannels {
    let loaded = loadedByConfig.get(config);
    if (!loaded) {
      loaded = loadChannels(config, triggers.names);
      loadedByConfig.set(config, loaded);
      for (const problem of loaded.problems) reportOnce(config, problem);
    }
    return loaded;
  }

  const queue = new Queue(deliveryQueueName, { connection: deps.redis, ...prefixOption });
  const workerConnection = deps.redis.duplicate({ maxRetriesPerRequest: null });
  const consumerConnection = deps.redis.duplicate();
  const worker = new Worker<unknown, DeliveryResult>(deliveryQueueName, (job, token) => processDelivery(job, token, {
    channels: () => channelsOf(deps.config()).channels,
    logger, events: deps.events, fetch: fetchImpl, now,
    timeoutMs: options.requestTimeoutMs ?? 5_000,
    retry, onceKeys,
    rateLimiter: createRateLimiter({ redis: deps.redis, now, ...(options.rateLimitWindowMs ? { windowMs: options.rateLimitWindowMs } : {}) }),
    health: createChannelHealth({
      redis: deps.redis, now,
      ...(options.failureThreshold ? { failureThreshold: options.failureThreshold } : {}),
      ...(options.cooldownMs ? { cooldownMs: options.cooldownMs } : {}),
    }),
    ...(deps.env ? { env: deps.env } : {}),
  }), {
    connection: workerConnection,
    autorun: false,
    concurrency: options.concurrency ?? 4,
    // A kill -9 mid-send leaves the job locked: it is found stalled and retried within ~1.5 lock durations.
    lockDuration: lockDurationMs,
    stalledInterval: Math.max(1_000, Math.floor(lockDurationMs / 2)),
    // A delivery caught by several crashes is still retried; the once-key keeps it from being sent twice.
    maxStalledCount: 5,
    settings: { backoffStrategy: (attemptsMade, _type, error) => retryDelayMs(retry, attemptsMade, error) },
    ...prefixOption,
  });
  worker.on('error', (error) => logger.error({ reason: error.message }, 'notification worker error'));
  let workerRun: Promise<void> | undefined;
  function runWorker() {
    workerRun ??= worker.run().catch((error: unknown) => logger.error({ reason: (error as Error).message }, 'notification worker stopped'));
  }

  async function enqueue(event: CloudEvent, trigger: TriggerDefinition, target: NotificationTarget, application: ArgoApplication | undefined, trace: Record<string, string>) {
    const app = event.data.app as string;
    const revision = typeof event.data.revision === 'string' && event.data.revision !== '' ? event.data.revision : undefined;
    const channelName = target.channel.metadata.name;
    const onceKey = notifierKeys.once(trigger.name, app, revision ?? `event-${event.id}`, target.key);
    const targetLogger = logger.child({ app, revision, trigger: trigger.name, channel: channelName });
    let deliveryId: string = randomUUID();
    const claim = await onceKeys.claim(onceKey, deliveryId);
    if (!claim.claimed) {
      if (claim.sent || !claim.deliveryId) {
        targetLogger.debug('already notified for this deploy; skipped');
        return;
      }
      // Queued by an earlier handling of the same deploy. While that job exists this is a no-op; if the earlier
      // handler died between claiming and queueing, the message is queued now under the same id.
      if (await queue.getJob(claim.deliveryId)) {
        targetLogger.debug('notification already queued for this deploy; skipped');
        return;
      }
      deliveryId = claim.deliveryId;
    }

    const fields = buildTemplateFields({ event, trigger, application, channel: channelName });
    const message = renderMessage({ channel: target.channel, trigger, fields, ...(trigger.actions ? { actions: trigger.actions(event) } : {}) });
    for (const field of message.missing) {
      targetLogger.warn({ field }, 'notification template references a missing field; sent with a placeholder');
    }
    const webhookBody = target.channel.spec.type === 'webhook'
      ? JSON.stringify({
        id: deliveryId, trigger: trigger.name, channel: channelName, app, revision,
        revisionUrl: fields.revisionUrl, actor: fields.actor, result: fields.result, health: fields.health,
        durationMs: fields.durationMs, reason: fields.reason, message: message.text,
        event: { id: event.id, type: event.type, source: event.source, time: event.time, subject: event.subject, data: event.data },
      })
      : undefined;
    const job: DeliveryJob = {
      deliveryId, onceKey, channel: channelName, trigger: trigger.name, app,
      ...(target.slackChannel ? { slackChannel: target.slackChannel } : {}),
      ...(revision ? { revision } : {}),
      ...(fields.actor ? { actor: fields.actor } : {}),
      ...(typeof event.data.traceId === 'string' ? { traceId: event.data.traceId } : {}),
      eventId: event.id, eventType: event.type,
      message: { text: message.text, ...(message.blocks ? { blocks: message.blocks } : {}) },
      ...(webhookBody ? { webhookBody } : {}),
      trace,
      ...(typeof event.time === 'string' ? { eventTime: event.time } : {}),
    };
    try {
      await queue.add('deliver', job, {
        jobId: deliveryId,
        attempts: retry.attempts ?? unlimitedAttempts,
        backoff: { type: 'notifier' },
        removeOnComplete: { age: 24 * 3_600, count: 10_000 },
        removeOnFail: { age: 7 * 24 * 3_600 },
      });
    } catch (error) {
      // Not queued: free the deploy's key so the event's redelivery can queue it.
      await onceKeys.release(onceKey, deliveryId).catch(() => undefined);
      throw error;
    }
    targetLogger.debug({ deliveryId }, 'notification queued');
  }

  async function handleEvent({ event }: StreamEntry): Promise<void> {
    const matched = triggers.matching(event);
    const app = typeof event.data?.app === 'string' && event.data.app !== '' ? event.data.app : undefined;
    if (matched.length === 0 || !app) return;
    const config = deps.config();
    const { channels } = channelsOf(config);
    const application = config.applications.find((candidate) => candidate.metadata.name === app);
    const carrier = eventTraceCarrier(event);
    await withSpan('notifier handle event', {
      ...(carrier ? { carrier } : {}), kind: 'consumer',
      attributes: { 'tidewater.app': app, 'tidewater.event.type': event.type, 'tidewater.event.id': event.id },
    }, async () => {
      const trace = injectTraceContext();
      for (const trigger of matched) {
        const { targets, problems } = resolveTargets({ trigger: trigger.name, app, application, channels, knownTriggers: triggers.names });
        for (const problem of problems) reportOnce(config, problem);
        for (const target of targets) await enqueue(event, trigger, target, application, trace);
      }
    });
  }

  const consumer = createEventConsumer({
    redis: consumerConnection,
    group: deps.group ?? 'notifier',
    consumer: deps.consumerName ?? `${hostname()}-${process.pid}`,
    handle: handleEvent,
    claimIdleMs: deps.claimIdleMs ?? 10_000,
    onError: (error, entry) => logger.error({ reason: error.message, streamId: entry?.streamId, type: entry?.event.type }, 'event handling failed; it stays pending and is retried'),
  });

  async function deliveriesSettled(): Promise<void> {
    for (;;) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).every((count) => count === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  return {
    start() {
      runWorker();
      consumer.start();
    },
    async drainOnce() {
      runWorker();
      const handled = await consumer.drainOnce();
      await deliveriesSettled();
      return handled;
    },
    async stop() {
      await consumer.stop();
      await worker.close();
      await workerRun;
      await queue.close();
      workerConnection.disconnect();
      consumerConnection.disconnect();
    },
  };
}
