/** Exit codes as argocd uses them (argo-cd `util/errors`): 1 is command specific (`app diff`: differences found). */
export const exitCodes = {
  ok: 0,
  commandSpecific: 1,
  /** `app diff`: the diff could not be computed. */
  diffError: 2,
  connectionFailure: 11,
  apiResponse: 12,
  resourceDoesNotExist: 13,
  generic: 20,
} as const;

/** An error that ends the command with a message and an exit code. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = exitCodes.generic) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}
