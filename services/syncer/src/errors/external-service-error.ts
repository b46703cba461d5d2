/**
 * A failure from outside Tidewater (a Kubernetes API server that is down, throttling or timing out). The only
 * error the syncer retries: BullMQ runs the job again with backoff.
 */
export class ExternalServiceError extends Error {
  /** Which outside service failed, e.g. `kubernetes cluster prod`. Never holds a secret. */
  readonly service: string;

  constructor(service: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExternalServiceError';
    this.service = service;
  }
}
