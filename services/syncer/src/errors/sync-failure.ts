/**
 * A permanent reason a sync cannot succeed as configured (unknown destination, a guardrail, an object the API
 * server rejects). Retrying does not help; the message tells the operator what to change.
 */
export class SyncFailure extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SyncFailure';
  }
}

/** An object or the application itself is outside what its AppProject permits. */
export class GuardrailViolation extends SyncFailure {
  constructor(message: string) {
    super(message);
    this.name = 'GuardrailViolation';
  }
}
