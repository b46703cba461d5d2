import { describe, expect, it } from 'vitest';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { describeStatus, retryableStatusError } from './api-status.ts';

describe('retryable API answers', () => {
  it('names the real HTTP status of a throttled or failing API server, not "unreachable"', () => {
    const throttled = retryableStatusError('prod', { status: 429, body: { kind: 'Status', message: 'too many requests, please try again later' } }, 'applying ConfigMap web in namespace demo');
    expect(throttled).toBeInstanceOf(ExternalServiceError);
    expect(throttled.message).toBe('cluster prod answered 429 Too Many Requests while applying ConfigMap web in namespace demo: too many requests, please try again later');
    expect(throttled.message).not.toContain('unreachable');

    const failing = retryableStatusError('prod', { status: 503, body: '' }, 'API discovery (/apis)');
    expect(failing.message).toBe('cluster prod answered 503 Service Unavailable while API discovery (/apis)');
    expect(describeStatus(507)).toBe('HTTP 507');
  });
});
