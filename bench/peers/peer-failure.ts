/**
 * A peer that did not start or did not reconcile in time. The benchmark stops with this error (non-zero exit, which
 * peer and why) instead of printing a ratio from a partial run.
 */
export class PeerFailure extends Error {
  readonly peer: string;
  readonly why: string;

  constructor(peer: string, why: string) {
    super(`peer ${peer} failed: ${why}`);
    this.name = 'PeerFailure';
    this.peer = peer;
    this.why = why;
  }
}
