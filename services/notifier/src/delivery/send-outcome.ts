/** How one HTTP attempt to a channel ended. Reasons carry status codes and error codes only. */
export type SendOutcome =
  | { kind: 'sent'; status: number }
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number }
  | {
      kind: 'permanent';
      reason: string;
      status?: number;
      /** The channel itself is unusable (404/410 gone, 401/403, revoked token): pause it at once. */
      channelBroken: boolean;
    };

/** Longest wait a Retry-After may impose; beyond it the attempt is retried after this. */
export const maxRetryAfterMs = 15 * 60_000;

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
export function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  let delayMs: number | undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) delayMs = Number(trimmed) * 1_000;
  else {
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) delayMs = Math.max(0, date - nowMs);
  }
  return delayMs === undefined ? undefined : Math.min(delayMs, maxRetryAfterMs);
}

/** A short receiver error code (`no_service`, `invalid_auth`) is safe to report; anything else is dropped. */
export function safeErrorCode(body: string | undefined): string | undefined {
  const code = body?.trim();
  return code && /^[a-z][a-z0-9_]{1,63}$/.test(code) ? code : undefined;
}

/** Outcome of a non-2xx HTTP status. */
export function outcomeOfStatus(status: number, options: { retryAfterMs?: number; code?: string }): SendOutcome {
  const reason = `HTTP ${status}${options.code ? ` ${options.code}` : ''}`;
  if (status === 429) return { kind: 'retry', reason, status, ...(options.retryAfterMs !== undefined ? { retryAfterMs: options.retryAfterMs } : {}) };
  if (status === 408 || status >= 500) return { kind: 'retry', reason, status };
  if (status >= 300 && status < 400) return { kind: 'permanent', reason: `${reason} (redirects are not followed)`, status, channelBroken: true };
  const channelBroken = status === 401 || status === 403 || status === 404 || status === 410;
  return { kind: 'permanent', reason, status, channelBroken };
}

/** Why a fetch threw: a timeout, or the network error code; never the error text (it may hold the URL). */
export function outcomeOfFetchError(error: unknown, timeoutMs: number): SendOutcome {
  const name = (error as { name?: string })?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return { kind: 'retry', reason: `no answer within ${timeoutMs} ms` };
  const cause = (error as { cause?: { code?: unknown } })?.cause;
  const code = typeof cause?.code === 'string' && /^[A-Z_0-9]{2,40}$/.test(cause.code) ? cause.code : undefined;
  return { kind: 'retry', reason: code ? `network error ${code}` : 'network error' };
}

/** Reads at most `limit` characters of a response body (receivers' error bodies are short; ignore the rest). */
export async function readBodyStart(response: Response, limit = 2_048): Promise<string> {
  try {
    const text = await response.text();
    return text.slice(0, limit);
  } catch {
    return '';
  }
}
