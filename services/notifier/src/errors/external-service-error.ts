/**
 * A failure from outside Tidewater (Slack, a webhook receiver, the network). Retryable: BullMQ retries the
 * delivery with backoff, or after `retryAfterMs` when the receiver said so (429 Retry-After). The message
 * names a status or an error code, never a URL or a token.
 */
export class ExternalServiceError extends Error {
  readonly service: string;
  readonly status?: number;
  readonly retryAfterMs?: number;

  constructor(service: string, message: string, options: { status?: number; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExternalServiceError';
    this.service = service;
    if (options.status !== undefined) this.status = options.status;
    if (options.retryAfterMs !== undefined) this.retryAfterMs = options.retryAfterMs;
  }
}
