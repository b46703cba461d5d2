import { describe, expect, it } from 'vitest';
import { defaultRetryPolicy, deliveryAgeMs, retryDelayMs } from './delivery-job.ts';

describe('delivery retry policy', () => {
  it('doubles the delay from the base and caps it, however many attempts were made', () => {
    const policy = { ...defaultRetryPolicy, baseDelayMs: 1_000, maxDelayMs: 60_000 };
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((attempts) => retryDelayMs(policy, attempts, new Error('HTTP 500'))))
      .toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
    expect(retryDelayMs(policy, 5_000, new Error('HTTP 500'))).toBe(60_000);
  });

  it("waits exactly the receiver's Retry-After, even beyond the cap", () => {
    const policy = { ...defaultRetryPolicy, maxDelayMs: 2_000 };
    expect(retryDelayMs(policy, 1, Object.assign(new Error('HTTP 429'), { retryAfterMs: 90_000 }))).toBe(90_000);
  });

  it("ages a message from its event's time, or from when it was queued when the time is missing or invalid", () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(deliveryAgeMs({ eventTime: '2026-01-01T11:00:00Z' }, now - 5_000, now)).toBe(3_600_000);
    expect(deliveryAgeMs({}, now - 5_000, now)).toBe(5_000);
    expect(deliveryAgeMs({ eventTime: 'not a time' }, now - 5_000, now)).toBe(5_000);
  });
});
