/**
 * A failure from outside Tidewater (git remote, network, a tool timing out). Thrown as a plain Error subclass so
 * BullMQ retries the job with backoff; everything permanent is an `UnrecoverableError` instead.
 */
export class ExternalServiceError extends Error {
  readonly service: string;

  constructor(service: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExternalServiceError';
    this.service = service;
  }
}
