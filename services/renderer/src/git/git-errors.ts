import { ExternalServiceError } from '../errors/external-service-error.ts';
import { permanent } from '../errors/permanent.ts';

/** Remote or network trouble that may pass: retried by BullMQ with backoff. */
const transientPatterns: RegExp[] = [
  /could not read from remote repository/i,
  /unable to connect/i,
  /connection (refused|reset|timed out)/i,
  /couldn't connect to server/i,
  /could not resolve host/i,
  /temporary failure in name resolution/i,
  /network is unreachable/i,
  /operation timed out/i,
  /timed out/i,
  /early eof/i,
  /the remote end hung up unexpectedly/i,
  /rpc failed/i,
  /\b50[0234]\b/,
  /\b429\b/,
  /ssl_error|gnutls_handshake|tls connection/i,
  /unable to access .*: (failed|recv|send)/i,
  /index-pack failed/i,
];

/** Problems an operator must fix (wrong URL, missing commit, credentials): never retried. */
const permanentPatterns: Array<{ pattern: RegExp; explain: string }> = [
  { pattern: /not our ref|unadvertised object|no such remote ref/i, explain: 'the remote does not have this revision' },
  { pattern: /unknown revision|bad revision|invalid object name|not a valid object name|bad object/i, explain: 'the revision does not exist in the repository' },
  { pattern: /repository .* not found|repository not found|no such repository|not found: did you run git update-server-info|does not appear to be a git repository|repository not exported|access denied/i, explain: 'the repository does not exist or is not readable' },
  { pattern: /authentication failed|could not read username|could not read password|permission denied \(publickey|invalid username or password|http basic: access denied|(?:error|status):? 403\b/i, explain: 'the repository refused the credentials' },
  { pattern: /returned error: 30[1278]\b/i, explain: 'the repository URL redirects elsewhere; with a credential, redirects are not followed (the token would go along): set the Repository url to the final location' },
  { pattern: /no space left on device|disk quota exceeded/i, explain: "the renderer's cache volume is full (the repository does not fit: give TIDEWATER_CACHE_DIR a larger volume)" },
  { pattern: /host key verification failed/i, explain: 'the SSH host key of the remote is not trusted' },
  { pattern: /protocol '.*' is not supported|transport '.*' not allowed|unsupported url protocol/i, explain: 'the repository URL uses an unsupported protocol' },
];

/** The git stderr lines worth showing, without progress noise. */
export function gitFailureDetail(raw: string): string {
  const progress = /^(remote: )?(counting|compressing|receiving|resolving|enumerating|total|unpacking) /i;
  const lines = raw.split(/\r?\n/).map((line) => line.trim()).filter((line) => line && !progress.test(line));
  return redactUrlCredentials(lines.join('; ')).slice(0, 500);
}

/** Removes `user:password@` from any URL in a message, in case a remote echoes it. */
export function redactUrlCredentials(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/gi, '$1***@');
}

/**
 * Classifies a git failure where git is called: transient → ExternalServiceError (BullMQ retries);
 * permanent → UnrecoverableError with a message an operator can act on. Unknown failures are treated as
 * transient, so the job's bounded retries decide.
 */
export function classifyGitError(error: unknown, context: { operation: string; repo: string }): Error {
  const raw = error instanceof Error ? error.message : String(error);
  const detail = gitFailureDetail(raw);
  const where = `git ${context.operation} of ${redactUrlCredentials(context.repo)}`;
  for (const { pattern, explain } of permanentPatterns) {
    if (pattern.test(raw)) return permanent(`${where} failed: ${explain} (${detail})`);
  }
  const transient = transientPatterns.some((pattern) => pattern.test(raw));
  return new ExternalServiceError('git', `${where} failed${transient ? ' (transient)' : ''}: ${detail}`, { cause: error });
}
