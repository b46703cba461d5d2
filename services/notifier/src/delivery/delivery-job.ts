import { z } from 'zod';

/** The notifier's own BullMQ queue: one job per (trigger, app, revision, channel) message. */
export const deliveryQueueName = 'tidewater-notifier-deliveries';

/** A rendered message waiting to be delivered. No secrets: channels' URLs and tokens are read at send time. */
export const DeliveryJob = z.object({
  deliveryId: z.string().min(1),
  onceKey: z.string().min(1),
  channel: z.string().min(1),
  slackChannel: z.string().min(1).optional(),
  trigger: z.string().min(1),
  app: z.string().min(1),
  revision: z.string().optional(),
  actor: z.string().optional(),
  traceId: z.string().optional(),
  eventId: z.string(),
  eventType: z.string(),
  message: z.object({ text: z.string(), blocks: z.array(z.record(z.string(), z.unknown())).optional() }),
  /** JSON body for a webhook channel. */
  webhookBody: z.string().optional(),
  /** Trace context of the event's handling, so the delivery span joins the change's trace. */
  trace: z.record(z.string(), z.string()),
  /** When the event happened (ISO 8601): the message is retried until it is older than the policy's `maxAgeMs`. */
  eventTime: z.string().optional(),
});
export type DeliveryJob = z.infer<typeof DeliveryJob>;

export interface DeliveryRetryPolicy {
  /**
   * Attempts in all; undefined (the default) retries until the message is delivered or its event is older than
   * `maxAgeMs`, so an outage of the receiver is waited out rather than counted down.
   */
  attempts?: number;
  /** First retry delay; doubled each time up to `maxDelayMs` (1 s, 2 s, 4 s … by default). */
  baseDelayMs: number;
  /** Longest wait between two attempts, unless the receiver's Retry-After asks for longer (default 60 s). */
  maxDelayMs: number;
  /** A message whose event is older than this is reported as failed instead of retried (default 24 h). */
  maxAgeMs: number;
}

export const defaultRetryPolicy: DeliveryRetryPolicy = { baseDelayMs: 1_000, maxDelayMs: 60_000, maxAgeMs: 24 * 3_600_000 };

/** BullMQ's attempt budget for a policy without a cap: large enough that the age limit always ends it first. */
export const unlimitedAttempts = 1_000_000;

/** BullMQ backoff: the receiver's Retry-After when it gave one, else exponential capped at `maxDelayMs`. */
export function retryDelayMs(policy: DeliveryRetryPolicy, attemptsMade: number, error: unknown): number {
  const retryAfterMs = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) return retryAfterMs;
  const exponent = Math.min(Math.max(0, attemptsMade - 1), 30);
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
}

/** Milliseconds since the message's event happened (the job's creation time when the event time is unknown). */
export function deliveryAgeMs(delivery: { eventTime?: string | undefined }, jobTimestamp: number, now: number): number {
  const eventMs = delivery.eventTime ? Date.parse(delivery.eventTime) : Number.NaN;
  return now - (Number.isNaN(eventMs) ? jobTimestamp : eventMs);
}
