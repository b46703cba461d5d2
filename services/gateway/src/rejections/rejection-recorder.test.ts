import { describe, it, expect } from 'vitest';
import { getMetrics } from '@tidewater/telemetry';
import { createRejectionRecorder, loggableDeliveryId } from './rejection-recorder.ts';

async function counted(provider: string, reason: string): Promise<number> {
  const { values } = await getMetrics().webhookRejections.get();
  return values.find((value) => value.labels.provider === provider && value.labels.reason === reason)?.value ?? 0;
}

describe('createRejectionRecorder', () => {
  it('counts every rejection but logs at most one line per provider and reason per interval, with the number left out', async () => {
    let clock = 0;
    const lines: Array<Record<string, unknown>> = [];
    const log = { warn: (fields: Record<string, unknown>) => { lines.push(fields); } };
    const recorder = createRejectionRecorder({ intervalMs: 10_000, now: () => clock });
    const before = await counted('gitea', 'signature_invalid');
    for (let i = 0; i < 1_000; i++) recorder.record({ provider: 'gitea', reason: 'signature_invalid', statusCode: 401, message: 'signature does not match' }, log);
    recorder.record({ provider: 'gitea', reason: 'payload_invalid', statusCode: 400, message: 'bad' }, log);
    expect(await counted('gitea', 'signature_invalid') - before).toBe(1_000);
    expect(lines.map((line) => line.reason)).toEqual(['signature_invalid', 'payload_invalid']);

    clock += 10_000;
    recorder.record({ provider: 'gitea', reason: 'signature_invalid', statusCode: 401, message: 'signature does not match', deliveryId: 'd-1' }, log);
    expect(lines[2]).toMatchObject({ provider: 'gitea', reason: 'signature_invalid', statusCode: 401, deliveryId: 'd-1', suppressedSinceLastLine: 999 });
  });

  it('logs a delivery id only when it looks like one', () => {
    expect(loggableDeliveryId('72d3162e-cc78-11e3-81ab-4c9367dc0958')).toBe('72d3162e-cc78-11e3-81ab-4c9367dc0958');
    expect(loggableDeliveryId('x'.repeat(129))).toBeUndefined();
    expect(loggableDeliveryId('new\nline')).toBeUndefined();
    expect(loggableDeliveryId('ünïcode')).toBeUndefined();
    expect(loggableDeliveryId(undefined)).toBeUndefined();
  });
});
