import { describe, expect, it } from 'vitest';
import { serviceTuningFromEnv } from './tuning-env.ts';

describe('serviceTuningFromEnv', () => {
  it('keeps the services defaults when nothing is set', () => {
    expect(serviceTuningFromEnv({})).toEqual({ renderer: {} });
  });

  it('reads the renderer and notifier variables the services read alone', () => {
    const tuning = serviceTuningFromEnv({ TIDEWATER_RENDER_LOCK_MS: '5000', TIDEWATER_RENDER_MAX_STALLED: '0', TIDEWATER_NOTIFY_MAX_AGE_MS: '60000' });
    expect(tuning.renderer).toEqual({ lockDurationMs: 5000, maxStalledCount: 0 });
    expect(tuning.notifierDelivery).toEqual({ maxAgeMs: 60000, baseDelayMs: 1000, maxDelayMs: 60000 });
  });

  it('names the variable of a value it refuses', () => {
    expect(() => serviceTuningFromEnv({ TIDEWATER_RENDER_LOCK_MS: '500' })).toThrow(/TIDEWATER_RENDER_LOCK_MS/);
    expect(() => serviceTuningFromEnv({ TIDEWATER_NOTIFY_RETRY_BASE_MS: 'soon' })).toThrow(/TIDEWATER_NOTIFY_RETRY_BASE_MS/);
  });
});
