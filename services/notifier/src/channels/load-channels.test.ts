import { describe, expect, it } from 'vitest';
import { buildConfig } from '@tidewater/config';
import { createTriggerTable } from '../triggers/trigger-table.ts';
import { loadChannels } from './load-channels.ts';

const load = (text: string) => loadChannels(buildConfig([{ file: 'channels.yaml', text }]).config, createTriggerTable().names);

describe('NotificationChannel documents', () => {
  it('parses Slack and webhook channels with secret references', () => {
    const { channels, problems } = load(`
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: team-slack}
spec:
  type: slack
  tokenRef: {file: /run/secrets/tidewater/slack-token}
  channel: deployments
  rateLimit: {perMinute: 20}
  subscriptions: [{trigger: on-deployed}]
  templates:
    on-deployed: {text: "{{app}} is out"}
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: audit}
spec:
  type: webhook
  urlRef: {env: TIDEWATER_SECRET_AUDIT_URL}
  secretRef: {env: TIDEWATER_SECRET_AUDIT_SIGNING}
`);
    expect(problems).toEqual([]);
    expect([...channels.keys()]).toEqual(['team-slack', 'audit']);
    expect(channels.get('team-slack')?.spec).toMatchObject({ type: 'slack', channel: 'deployments', rateLimit: { perMinute: 20 } });
  });

  it('skips invalid channels with value-free problems naming the channel and field', () => {
    const { channels, problems } = load(`
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: inline}
spec:
  type: slack
  webhookUrlRef: https://hooks.slack.com/services/T0/B0/verysecret
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: header}
spec:
  type: webhook
  url: https://example.com/in
  headers: [{name: Authorization, value: Bearer-verysecret}]
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: typo}
spec:
  type: slack
  webhookUrlRef: {env: TIDEWATER_SECRET_HOOK}
  subscriptions: [{trigger: on-deploy}]
`);
    expect(problems.join('\n')).not.toContain('verysecret');
    expect(problems).toEqual([
      expect.stringMatching(/^NotificationChannel inline: spec\.webhookUrlRef: secrets must be env: or file: references/),
      'NotificationChannel header: spec.headers.0: this header carries a credential: use valueRef (env: or file:), never an inline value',
      'NotificationChannel typo: spec.subscriptions.0.trigger: unknown trigger on-deploy',
    ]);
    expect([...channels.keys()]).toEqual(['typo']);
  });
});
