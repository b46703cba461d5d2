import { describe, expect, it } from 'vitest';
import { buildConfig } from '@tidewater/config';
import { auditSinkFromEnv, auditSinksFromConfig } from './audit-sink-config.ts';

const sinkDocument = (name: string, spec: Record<string, unknown>) => ({ apiVersion: 'tidewater.dev/v1alpha1', kind: 'AuditSink', metadata: { name }, spec });

describe('AuditSink configuration', () => {
  it('resolves secret references and applies defaults', () => {
    const env = { TIDEWATER_SECRET_SIEM_URL: 'https://siem.example.com/ingest?token=t0ken\n', TIDEWATER_SECRET_SIEM_TOKEN: 'b3arer', TIDEWATER_SECRET_SIEM_KEY: 'k3y' };
    const { sinks, problems } = auditSinksFromConfig([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'other' } },
      sinkDocument('siem', { urlRef: { env: 'TIDEWATER_SECRET_SIEM_URL' }, bearerTokenRef: { env: 'TIDEWATER_SECRET_SIEM_TOKEN' }, headers: [{ name: 'X-Api-Key', valueRef: { env: 'TIDEWATER_SECRET_SIEM_KEY' } }] }),
      sinkDocument('archive', { url: 'https://archive.example.com/audit', batchSize: 50, timeoutSeconds: 2, backoff: { initialDelayMs: 100, maxDelayMs: 1000 } }),
    ], env);
    expect(problems).toEqual([]);
    expect(sinks).toEqual([
      {
        name: 'siem', url: 'https://siem.example.com/ingest?token=t0ken',
        headers: { 'x-api-key': 'k3y', authorization: 'Bearer b3arer' },
        batchSize: 500, timeoutMs: 10_000, initialBackoffMs: 500, maxBackoffMs: 60_000,
      },
      { name: 'archive', url: 'https://archive.example.com/audit', headers: {}, batchSize: 50, timeoutMs: 2_000, initialBackoffMs: 100, maxBackoffMs: 1_000 },
    ]);
  });

  it('reports broken documents by name and field, never a value, and keeps the valid ones', () => {
    const { sinks, problems } = auditSinksFromConfig([
      sinkDocument('inline', { url: 'https://user:hunter2@siem.example.com/' }),
      sinkDocument('unset', { urlRef: { env: 'TIDEWATER_SECRET_NOT_SET' } }),
      sinkDocument('both', { url: 'https://a.example.com/', urlRef: { env: 'TIDEWATER_SECRET_X' } }),
      sinkDocument('inline-token', { url: 'https://a.example.com/', bearerTokenRef: 'plain-t0ken' }),
      sinkDocument('good', { url: 'https://good.example.com/' }),
    ], {});
    expect(sinks.map((sink) => sink.name)).toEqual(['good']);
    expect(problems).toEqual([
      expect.stringMatching(/^AuditSink inline: spec\.url: must not hold credentials/),
      'AuditSink unset: spec.urlRef: env TIDEWATER_SECRET_NOT_SET cannot be resolved',
      expect.stringMatching(/^AuditSink both: .*exactly one of url or urlRef/),
      expect.stringMatching(/^AuditSink inline-token: spec\.bearerTokenRef: secrets must be env: or file: references/),
    ]);
    expect(problems.join('\n')).not.toMatch(/hunter2|plain-t0ken/);
  });

  it('reads AuditSink documents as the configuration loader keeps them', () => {
    const { config, errors } = buildConfig([{ file: 'audit.yaml', text: `
apiVersion: tidewater.dev/v1alpha1
kind: AuditSink
metadata: {name: siem}
spec:
  type: http
  urlRef: {env: TIDEWATER_SECRET_SIEM_URL}
  bearerTokenRef: {env: TIDEWATER_SECRET_SIEM_TOKEN}
  batchSize: 200
` }]);
    expect(errors.map((error) => error.message)).toEqual([]);
    const { sinks, problems } = auditSinksFromConfig(config.otherDocuments, { TIDEWATER_SECRET_SIEM_URL: 'https://siem.example.com/in', TIDEWATER_SECRET_SIEM_TOKEN: 'tok' });
    expect(problems).toEqual([]);
    expect(sinks).toEqual([expect.objectContaining({ name: 'siem', url: 'https://siem.example.com/in', headers: { authorization: 'Bearer tok' }, batchSize: 200 })]);
  });

  it('reads one sink from the environment', () => {
    expect(auditSinkFromEnv({})).toBeUndefined();
    expect(auditSinkFromEnv({ TIDEWATER_AUDIT_SINK_URL: 'https://x.example.com/a', TIDEWATER_AUDIT_SINK_TOKEN: 't', TIDEWATER_AUDIT_SINK_NAME: 'splunk' }))
      .toMatchObject({ name: 'splunk', url: 'https://x.example.com/a', headers: { authorization: 'Bearer t' }, batchSize: 500 });
    expect(() => auditSinkFromEnv({ TIDEWATER_AUDIT_SINK_URL: 'ftp://x' })).toThrow('TIDEWATER_AUDIT_SINK_URL must be an http(s) URL');
  });
});
