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
});
export type DeliveryJob = z.infer<typeof DeliveryJob>;

export interface DeliveryRetryPolicy {
  /** Attempts in all (default 4: the first and 3 retries). */
  attempts: number;
  /** First retry delay; doubled each time (1 s, 2 s, 4 s by default). */
  baseDelayMs: number;
}

export const defaultRetryPolicy: DeliveryRetryPolicy = { attempts: 4, baseDelayMs: 1_000 };

/** BullMQ backoff: the receiver's Retry-After when it gave one, else exponential. */
export function retryDelayMs(policy: DeliveryRetryPolicy, attemptsMade: number, error: unknown): number {
  const retryAfterMs = (error as { retryAfterMs?: unknown } | undefined)?.retryAfterMs;
  if (typeof retryAfterMs === 'number' && retryAfterMs >= 0) return retryAfterMs;
  return policy.baseDelayMs * 2 ** Math.max(0, attemptsMade - 1);
}
