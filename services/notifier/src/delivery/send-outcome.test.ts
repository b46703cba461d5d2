import { describe, expect, it } from 'vitest';
import { outcomeOfFetchError, outcomeOfStatus, parseRetryAfter, safeErrorCode } from './send-outcome.ts';

describe('classifying receivers\' answers', () => {
  it('reads Retry-After in seconds or as a date, capped', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('86400', now)).toBe(15 * 60_000);
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('retries 429, 408 and 5xx; treats 404/410/401/403 as a broken channel; other 4xx as a failed message', () => {
    expect(outcomeOfStatus(429, { retryAfterMs: 1_000 })).toEqual({ kind: 'retry', reason: 'HTTP 429', status: 429, retryAfterMs: 1_000 });
    expect(outcomeOfStatus(503, {}).kind).toBe('retry');
    expect(outcomeOfStatus(410, { code: 'channel_is_archived' })).toEqual({ kind: 'permanent', reason: 'HTTP 410 channel_is_archived', status: 410, channelBroken: true });
    expect(outcomeOfStatus(400, { code: 'invalid_payload' })).toMatchObject({ kind: 'permanent', channelBroken: false });
  });

  it('never reports a receiver\'s free text or the failing URL', () => {
    expect(safeErrorCode('no_service')).toBe('no_service');
    expect(safeErrorCode('<html>https://hooks.example/T0/secret</html>')).toBeUndefined();
    const error = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1 https://hooks/x/secret'), { code: 'ECONNREFUSED' }) });
    expect(outcomeOfFetchError(error, 5_000)).toEqual({ kind: 'retry', reason: 'network error ECONNREFUSED' });
    expect(outcomeOfFetchError(new DOMException('timed out', 'TimeoutError'), 5_000)).toEqual({ kind: 'retry', reason: 'no answer within 5000 ms' });
  });
});
