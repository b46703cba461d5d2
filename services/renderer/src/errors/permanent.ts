import { UnrecoverableError } from 'bullmq';

/** A permanent render failure: BullMQ does not retry it; the message is what an operator reads. */
export function permanent(message: string): UnrecoverableError {
  return new UnrecoverableError(message);
}

export function isPermanent(error: unknown): boolean {
  return error instanceof UnrecoverableError || (error instanceof Error && error.name === 'UnrecoverableError');
}
