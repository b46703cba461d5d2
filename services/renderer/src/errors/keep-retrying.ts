/**
 * A transient failure (git unreachable, a registry down) after the job's last attempt: the render is not given up
 * but run again after `delayMs`, until it succeeds, a newer commit supersedes it or the application is removed.
 */
export class KeepRetrying extends Error {
  override readonly name = 'KeepRetrying';
  readonly delayMs: number;
  override readonly cause: unknown;
  constructor(delayMs: number, cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause));
    this.delayMs = delayMs;
    this.cause = cause;
  }
}
