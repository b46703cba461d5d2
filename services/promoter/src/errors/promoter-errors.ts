/**
 * Failures from outside the promoter (registry, git server, Redis): retried by BullMQ with backoff. Messages
 * name the registry, repository, image or file, never a credential.
 */
export class ExternalServiceError extends Error {
  readonly retryable = true;

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ExternalServiceError';
  }
}

/** A failure that retrying cannot fix (no such tag, a file that is not YAML, a conflict that cannot be rebased). */
export class ImageUpdateError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageUpdateError';
  }
}
