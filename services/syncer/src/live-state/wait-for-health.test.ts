import { describe, expect, it } from 'vitest';
import type { ArgoApplication } from '@tidewater/config';
import { healthWaitOf, parseDuration, waitForHealthAnnotation } from './wait-for-health.ts';
import { isAtLeastVersion } from './resource-version.ts';

const app = (value?: string) => ({
  metadata: { name: 'web', ...(value === undefined ? {} : { annotations: { [waitForHealthAnnotation]: value } }) },
}) as ArgoApplication;

describe('wait-for-health annotation', () => {
  it('reads Go-style durations, true/false, and names a bad value', () => {
    expect(parseDuration('120s')).toBe(120_000);
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('soon')).toBeUndefined();
    expect(healthWaitOf(app())).toBeUndefined();
    expect(healthWaitOf(app('false'))).toBeUndefined();
    expect(healthWaitOf(app('true'))).toEqual({ timeoutMs: 300_000 });
    expect(healthWaitOf(app('2m'))).toEqual({ timeoutMs: 120_000 });
    expect(healthWaitOf(app('a while'))).toEqual({ invalid: expect.stringContaining('tidewater.dev/wait-for-health of application web is "a while"') });
  });
});

describe('isAtLeastVersion', () => {
  it('compares etcd resourceVersions as integers and anything else by equality', () => {
    expect(isAtLeastVersion('10', '9')).toBe(true);
    expect(isAtLeastVersion('9', '10')).toBe(false);
    expect(isAtLeastVersion('abc', 'abc')).toBe(true);
    expect(isAtLeastVersion('abc', 'abd')).toBe(false);
    expect(isAtLeastVersion(undefined, undefined)).toBe(true);
    expect(isAtLeastVersion(undefined, '3')).toBe(false);
  });
});
