import { randomUUID } from 'node:crypto';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { withSpan, type Logger } from '@tidewater/telemetry';
import type { NotificationChannel } from '../channels/notification-channel.ts';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import type { ChannelHealth } from './channel-health.ts';
import { DeliveryJob, deliveryAgeMs, type DeliveryRetryPolicy } from './delivery-job.ts';
import type { OnceKeys } from './once-keys.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { sendSlackMessage } from './send-slack.ts';
import type { SendOutcome } from './send-outcome.ts';
import { sendWebhook } from './send-webhook.ts';

export interface DeliveryProcessorDeps {
  /** The channels of the current configuration, by name. */
  channels: () => ReadonlyMap<string, NotificationChannel>;
  logger: Logger;
  events: EventPublisher;
  fetch: typeof fetch;
  now: () => number;
  timeoutMs: number;
  retry: DeliveryRetryPolicy;
  onceKeys: OnceKeys;
  rateLimiter: RateLimiter;
  health: ChannelHealth;
  env?: NodeJS.ProcessEnv;
}

export interface DeliveryResult {
  attempts: number;
  status: number;
}

type Failure = Extract<SendOutcome, { kind: 'permanent' }> & { countsAgainstChannel: boolean };

/**
 * Delivers one notification: checks the channel is configured, waits out a pause of the channel and the
 * rate limit (the job is delayed, never dropped), sends, and reports. A transient failure is retried by BullMQ
 * with capped backoff (or after the receiver's Retry-After) until the event is older than the policy's
 * `maxAgeMs`; a permanent failure, or running out of time, is reported once as `notification.failed` and frees
 * the once-key.
 */
export async function processDelivery(job: Job, token: string | undefined, deps: DeliveryProcessorDeps): Promise<DeliveryResult> {
  const delivery = DeliveryJob.parse(job.data);
  const logger = deps.logger.child({
    channel: delivery.channel, trigger: delivery.trigger, app: delivery.app, revision: delivery.revision, deliveryId: delivery.deliveryId,
    ...(delivery.slackChannel ? { slackChannel: delivery.slackChannel } : {}),
  });
  const attempt = job.attemptsMade + 1;
  const ageMs = () => deliveryAgeMs(delivery, job.timestamp, deps.now());
  const maxAge = describeDuration(deps.retry.maxAgeMs);
  const common = {
    app: delivery.app, revision: delivery.revision, actor: delivery.actor, traceId: delivery.traceId,
    channel: delivery.channel, trigger: delivery.trigger, deliveryId: delivery.deliveryId,
    ...(delivery.slackChannel ? { slackChannel: delivery.slackChannel } : {}),
  };

  async function giveUp(failure: Failure): Promise<never> {
    await deps.onceKeys.release(delivery.onceKey, delivery.deliveryId);
    await deps.events.publish({
      type: eventTypes.notificationFailed,
      data: { ...common, reason: failure.reason, ...(failure.status !== undefined ? { status: failure.status } : {}), attempts: attempt },
    });
    logger.warn({ reason: failure.reason, status: failure.status, attempts: attempt }, 'notification failed');
    if (failure.countsAgainstChannel) {
      const pause = await deps.health.recordFailure(delivery.channel, failure);
      if (pause) {
        await deps.events.publish({
          type: eventTypes.notificationChannelUnhealthy,
          data: { channel: delivery.channel, reason: pause.reason, failures: pause.failures, until: new Date(pause.until).toISOString(), traceId: delivery.traceId },
        });
        logger.error({ reason: pause.reason, failures: pause.failures, until: new Date(pause.until).toISOString() }, 'notification channel marked unhealthy; deliveries paused');
      }
    }
    throw new UnrecoverableError(`notification to channel ${delivery.channel} failed: ${failure.reason}`);
  }

  return withSpan('notifier deliver', {
    carrier: delivery.trace, kind: 'consumer',
    attributes: { 'tidewater.app': delivery.app, 'tidewater.notification.channel': delivery.channel, 'tidewater.notification.trigger': delivery.trigger, attempt },
  }, async () => {
    const channel = deps.channels().get(delivery.channel);
    if (!channel) return giveUp({ kind: 'permanent', reason: 'channel is no longer configured', channelBroken: false, countsAgainstChannel: false });

    const pause = await deps.health.pauseOf(delivery.channel);
    if (pause) {
      // A paused channel holds its messages until the pause ends; only a message past its age limit is given up.
      if (ageMs() + Math.max(0, pause.until - deps.now()) > deps.retry.maxAgeMs) {
        return giveUp({
          kind: 'permanent', reason: `channel is paused until ${new Date(pause.until).toISOString()} after repeated failures (${pause.reason}) and the message would be older than ${maxAge}`,
          channelBroken: false, countsAgainstChannel: false,
        });
      }
      logger.info({ until: new Date(pause.until).toISOString(), pauseReason: pause.reason }, 'channel paused; notification held until the pause ends');
      await job.moveToDelayed(pause.until + 250, token);
      throw new DelayedError();
    }

    const perMinute = channel.spec.rateLimit?.perMinute;
    if (perMinute) {
      const waitMs = await deps.rateLimiter.reserve(delivery.channel, perMinute, `${delivery.deliveryId}:${randomUUID()}`);
      if (waitMs > 0) {
        logger.info({ waitMs, perMinute }, 'notification delayed by the channel rate limit');
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
    }

    const context = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, now: deps.now, ...(deps.env ? { env: deps.env } : {}) };
    const outcome = channel.spec.type === 'slack'
      ? await sendSlackMessage({ spec: channel.spec, message: delivery.message, ...(delivery.slackChannel ? { slackChannel: delivery.slackChannel } : {}) }, context)
      : await sendWebhook({ spec: channel.spec, body: delivery.webhookBody ?? JSON.stringify({ message: delivery.message.text }), deliveryId: delivery.deliveryId, trigger: delivery.trigger }, context);

    if (outcome.kind === 'sent') {
      await deps.onceKeys.markSent(delivery.onceKey);
      await deps.health.recordSuccess(delivery.channel);
      await deps.events.publish({ type: eventTypes.notificationSent, data: { ...common, attempts: attempt } });
      logger.info({ attempts: attempt, status: outcome.status }, 'notification sent');
      return { attempts: attempt, status: outcome.status };
    }
    const withinAttempts = deps.retry.attempts === undefined || attempt < deps.retry.attempts;
    if (outcome.kind === 'retry' && withinAttempts && ageMs() < deps.retry.maxAgeMs) {
      logger.warn({ reason: outcome.reason, attempt, retryAfterMs: outcome.retryAfterMs }, 'notification attempt failed; retrying');
      throw new ExternalServiceError(channel.spec.type, outcome.reason, {
        ...(outcome.status !== undefined ? { status: outcome.status } : {}),
        ...(outcome.retryAfterMs !== undefined ? { retryAfterMs: outcome.retryAfterMs } : {}),
      });
    }
    const reason = outcome.kind !== 'retry' ? outcome.reason
      : withinAttempts ? `${outcome.reason} (after ${attempt} attempts; not delivered within ${maxAge})` : `${outcome.reason} (after ${attempt} attempts)`;
    return giveUp({
      kind: 'permanent', reason, ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      channelBroken: outcome.kind === 'permanent' && outcome.channelBroken, countsAgainstChannel: true,
    });
  });
}

/** `24 h`, `90 min`, `20 s`, `400 ms`: the age limit as an operator wrote it. */
function describeDuration(ms: number): string {
  if (ms >= 3_600_000 && ms % 3_600_000 === 0) return `${ms / 3_600_000} h`;
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000} min`;
  if (ms >= 1_000 && ms % 1_000 === 0) return `${ms / 1_000} s`;
  return `${ms} ms`;
}
