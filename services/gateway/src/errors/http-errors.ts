/**
 * Errors the gateway answers with. Each carries its HTTP status and a stable code; the one place that turns
 * them into responses is `error-handler.ts`. Messages are static and never hold a signature, token or secret.
 */
export class GatewayHttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  /** Why a webhook was refused, as a short fixed label (the `reason` of `tidewater_webhook_rejected_total`). */
  readonly reason: RejectionReason;

  constructor(statusCode: number, code: string, message: string, options?: ErrorOptions & { reason?: RejectionReason }) {
    super(message, options);
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
    this.reason = options?.reason ?? (statusCode === 429 ? 'rate_limited' : 'bad_request');
  }
}

/** The fixed set of rejection reasons: a metric label, so never free text (a caller must not mint label values). */
export const rejectionReasons = [
  'signature_missing', 'signature_invalid', 'no_secret_configured', 'repository_not_authorised',
  'payload_invalid', 'body_empty', 'unsupported_media_type', 'payload_too_large', 'rate_limited', 'bad_request',
] as const;
export type RejectionReason = (typeof rejectionReasons)[number];

/** 401: a missing, malformed or wrong signature/token, or a secret that does not belong to the payload's repository. */
export class WebhookSignatureError extends GatewayHttpError {
  constructor(message: string, reason: Extract<RejectionReason, 'signature_missing' | 'signature_invalid' | 'no_secret_configured' | 'repository_not_authorised'> = 'signature_invalid') {
    super(401, 'WEBHOOK_SIGNATURE_INVALID', message, { reason });
  }
}

/** 400: the body is not the JSON we need (malformed, or missing fields). */
export class PayloadError extends GatewayHttpError {
  constructor(message: string, options?: ErrorOptions & { reason?: Extract<RejectionReason, 'payload_invalid' | 'body_empty'> }) {
    super(400, 'WEBHOOK_PAYLOAD_INVALID', message, { reason: 'payload_invalid', ...options });
  }
}

/** 415: the content type is not one the provider's route accepts. */
export class UnsupportedMediaTypeError extends GatewayHttpError {
  constructor(message = 'content-type must be application/json') {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', message, { reason: 'unsupported_media_type' });
  }
}

/** 413: the body is larger than the gateway accepts. */
export class PayloadTooLargeError extends GatewayHttpError {
  constructor(message = 'request body is too large') {
    super(413, 'PAYLOAD_TOO_LARGE', message, { reason: 'payload_too_large' });
  }
}

/**
 * A failure of something outside the gateway (Redis, the queue). Retryable: answered 503 so the provider
 * redelivers the webhook later.
 */
export class ExternalServiceError extends GatewayHttpError {
  readonly retryable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(503, 'SERVICE_UNAVAILABLE', message, options);
  }
}

/** 429: the source address sent more webhook requests than the rate limit allows; `Retry-After` says when to retry. */
export class RateLimitedError extends GatewayHttpError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', `too many webhook requests from this address: retry in ${retryAfterSeconds} s`, { reason: 'rate_limited' });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
