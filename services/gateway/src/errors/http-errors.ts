/**
 * Errors the gateway answers with. Each carries its HTTP status and a stable code; the one place that turns
 * them into responses is `error-handler.ts`. Messages are static and never hold a signature, token or secret.
 */
export class GatewayHttpError extends Error {
  readonly statusCode: number;
  readonly code: string;

  constructor(statusCode: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** 401: a missing, malformed or wrong signature/token, or a secret that does not belong to the payload's repository. */
export class WebhookSignatureError extends GatewayHttpError {
  constructor(message: string) {
    super(401, 'WEBHOOK_SIGNATURE_INVALID', message);
  }
}

/** 400: the body is not the JSON we need (malformed, or missing fields). */
export class PayloadError extends GatewayHttpError {
  constructor(message: string, options?: ErrorOptions) {
    super(400, 'WEBHOOK_PAYLOAD_INVALID', message, options);
  }
}

/** 415: the content type is not one the provider's route accepts. */
export class UnsupportedMediaTypeError extends GatewayHttpError {
  constructor(message = 'content-type must be application/json') {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', message);
  }
}

/** 413: the body is larger than the gateway accepts. */
export class PayloadTooLargeError extends GatewayHttpError {
  constructor(message = 'request body is too large') {
    super(413, 'PAYLOAD_TOO_LARGE', message);
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
