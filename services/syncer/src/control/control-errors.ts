/**
 * An operator's control request that cannot be carried out as asked (unknown app, a revision not in the history,
 * nothing to roll back to). The message says what to do instead; the control worker fails the job without retry.
 */
export class ControlRequestRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ControlRequestRefused';
  }
}
