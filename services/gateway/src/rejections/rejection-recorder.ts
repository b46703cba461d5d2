import type { FastifyBaseLogger } from 'fastify';
import { getMetrics } from '@tidewater/telemetry';
import type { RejectionReason } from '../errors/http-errors.ts';
import type { GitProvider } from '../push/normalised-push.ts';

/** One refused webhook request, as the error handler knows it. */
export interface WebhookRejection {
  provider: GitProvider;
  reason: RejectionReason;
  statusCode: number;
  /** Safe to log (see `loggableDeliveryId`), or absent. */
  deliveryId?: string;
  /** The error's static message (never a signature, token or secret). */
  message: string;
}

export interface RejectionRecorder {
  /** Counts the rejection and logs it, at most one line per provider and reason per sampling interval. */
  record(rejection: WebhookRejection, log: Pick<FastifyBaseLogger, 'warn'>): void;
}

/** Default: at most one `webhook rejected` line per provider and reason every 10 s. */
export const defaultRejectionLogIntervalMs = 10_000;

/**
 * Refusals cost a counter increment and, now and then, one log line; never a Redis write. A flood of forged or
 * malformed requests therefore cannot trim real events off the capped events stream before the auditor and
 * notifier read them, nor fill the log: the sampled line says how many were left out since the last one.
 */
export function createRejectionRecorder(deps: { intervalMs?: number; now?: () => number } = {}): RejectionRecorder {
  const intervalMs = deps.intervalMs ?? defaultRejectionLogIntervalMs;
  const now = deps.now ?? Date.now;
  // Keyed by provider and reason: both come from fixed sets, so the map stays small.
  const lastLogged = new Map<string, { at: number; suppressed: number }>();
  const metrics = getMetrics();
  return {
    record(rejection, log) {
      metrics.webhookRejections.inc({ provider: rejection.provider, reason: rejection.reason });
      metrics.webhooks.inc({ provider: rejection.provider, outcome: 'rejected' });
      const key = `${rejection.provider}:${rejection.reason}`;
      const at = now();
      const previous = lastLogged.get(key);
      if (previous !== undefined && at - previous.at < intervalMs) {
        previous.suppressed += 1;
        return;
      }
      lastLogged.set(key, { at, suppressed: 0 });
      log.warn({
        provider: rejection.provider, reason: rejection.reason, statusCode: rejection.statusCode, detail: rejection.message,
        ...(rejection.deliveryId ? { deliveryId: rejection.deliveryId } : {}),
        ...(previous?.suppressed ? { suppressedSinceLastLine: previous.suppressed } : {}),
      }, 'webhook rejected');
    },
  };
}

/** A delivery id header worth logging: printable ASCII of a sane length (a UUID in practice), else nothing. */
export function loggableDeliveryId(deliveryId: string | undefined): string | undefined {
  return deliveryId !== undefined && /^[\x21-\x7e]{1,128}$/.test(deliveryId) ? deliveryId : undefined;
}
