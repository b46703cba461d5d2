import { describe, expect, it } from 'vitest';
import { workerConcurrencyFromEnv } from './concurrency-env.ts';

describe('workerConcurrencyFromEnv', () => {
  it('reads render and sync concurrency, keeps defaults when unset and names a bad variable', () => {
    expect(workerConcurrencyFromEnv({})).toEqual({});
    expect(workerConcurrencyFromEnv({ TIDEWATER_RENDER_CONCURRENCY: '8', SYNC_CONCURRENCY: '6' })).toEqual({ renderConcurrency: 8, syncConcurrency: 6 });
    expect(() => workerConcurrencyFromEnv({ TIDEWATER_RENDER_CONCURRENCY: 'lots' })).toThrow('TIDEWATER_RENDER_CONCURRENCY must be a whole number from 1 to 256, got "lots"');
    expect(() => workerConcurrencyFromEnv({ SYNC_CONCURRENCY: '0' })).toThrow('SYNC_CONCURRENCY');
  });
});
