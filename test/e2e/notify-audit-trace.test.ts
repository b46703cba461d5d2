import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { eventTypes } from '@tidewater/events';
import { startTelemetry } from '@tidewater/telemetry';
import { startSlackSink, type SlackSink } from '../../services/notifier/src/test-support/slack-sink.ts';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf, waitForSync } from './helpers.ts';

// Spans of every service in this process land here: one trace must run from the webhook to the Slack message.
const spans = new InMemorySpanExporter();
startTelemetry({ serviceName: 'tidewater-e2e', spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] });

describe('a change, as Slack, the audit log and the trace see it', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let slack: SlackSink;
  const slackEnv = `TIDEWATER_SECRET_E2E_SLACK_URL_${process.pid}`;

  beforeAll(async () => {
    slack = await startSlackSink();
    process.env[slackEnv] = `${slack.url}/services/T000/B000/secret-token-part`;
    env = await startTidewaterEnvironment({ seedRepository: false });
    await env.writeConfig('slack.yaml', [
      'apiVersion: tidewater.dev/v1alpha1', 'kind: NotificationChannel', 'metadata: {name: team-slack}', 'spec:',
      '  type: slack', `  webhookUrlRef: {env: ${slackEnv}}`, `  apiUrl: ${slack.url}/api`,
      '  subscriptions: [{trigger: on-sync-succeeded, apps: [guestbook-*]}]', '',
    ].join('\n'));
    redis = new Redis(env.redis.url);
  });
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
    await slack?.close();
    delete process.env[slackEnv];
  });

  it('sends one Slack message per revision, audits the change in order and traces it end to end', async () => {
    const { mkdtempSync, cpSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const seed = mkdtempSync(join(tmpdir(), 'tidewater-seed-'));
    cpSync(join(import.meta.dirname, '../../examples/gitops-repo'), seed, { recursive: true });
    const first = await env.repo.commitDirectory(seed, 'Import the example repository');
    await waitForSync(redis, 'guestbook-dev', first.sha);
    await waitForSync(redis, 'guestbook-staging', first.sha);

    const slackPath = '/services/T000/B000/secret-token-part';
    const messages = await waitFor('two Slack messages', () => (slack.to(slackPath).length >= 2 ? slack.to(slackPath) : undefined));
    const texts = messages.map((message) => JSON.stringify(JSON.parse(message.body)));
    expect(texts.some((text) => text.includes('guestbook-dev') && text.includes(first.sha.slice(0, 7)))).toBe(true);
    expect(texts.some((text) => text.includes('guestbook-staging'))).toBe(true);
    expect(texts.join(' ')).toMatch(/succeeded|Succeeded/);
    // plain-configs is not subscribed; a second delivery of the same events sends nothing more.
    await new Promise((r) => setTimeout(r, 300));
    expect(slack.to(slackPath)).toHaveLength(2);

    // The audit log holds this change's events in order, and its hash chain verifies.
    const audit = await waitFor('the audit log to hold the sync', async () => {
      const response = await fetch(`${env.auditorUrl}/audit/events?app=guestbook-dev&limit=100`);
      const body = await response.json() as { records: Array<{ event: { type: string; data: { revision?: string } } }> };
      const types = body.records.filter((r) => r.event.data.revision === first.sha).map((r) => r.event.type);
      return types.includes(eventTypes.syncSucceeded) ? types : undefined;
    });
    const order = [eventTypes.renderStarted, eventTypes.renderSucceeded, eventTypes.syncStarted, eventTypes.syncSucceeded];
    expect(audit.filter((type) => order.includes(type as typeof order[number]))).toEqual(order);
    const verify = await fetch(`${env.auditorUrl}/audit/verify`);
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ ok: true });

    // One trace: gateway request → render → sync → notifier.
    const [received] = await eventsOf(redis, eventTypes.webhookReceived, { revision: first.sha });
    const traceId = String(received.data.traceId);
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    await waitFor('the notifier span', () => spans.getFinishedSpans().some((span) => span.spanContext().traceId === traceId && span.name.startsWith('notifier')));
    const names = new Set(spans.getFinishedSpans().filter((span) => span.spanContext().traceId === traceId).map((span) => span.name));
    expect([...names]).toEqual(expect.arrayContaining(['webhook github', 'render', 'sync', 'notifier handle event', 'notifier deliver']));
    const [synced] = await eventsOf(redis, eventTypes.syncSucceeded, { app: 'guestbook-dev', revision: first.sha });
    expect(synced.data.traceId).toBe(traceId);

    // No secret reaches an event.
    const everything = JSON.stringify(await eventsOf(redis, eventTypes.notificationSent));
    expect(everything).not.toContain('secret-token-part');
    expect(everything).not.toContain(env.webhookSecret);
  });
});
