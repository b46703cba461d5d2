import { describe, expect, it } from 'vitest';
import { buildConfig, type ArgoApplication } from '@tidewater/config';
import { loadChannels } from '../channels/load-channels.ts';
import { createTriggerTable, defaultTriggerNames } from '../triggers/trigger-table.ts';
import { parseArgoSubscriptions } from './argo-annotations.ts';
import { resolveTargets } from './resolve-targets.ts';

const triggers = createTriggerTable();

const channels = loadChannels(buildConfig([{
  file: 'channels.yaml',
  text: `
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: hook-slack}
spec:
  type: slack
  webhookUrlRef: {env: TIDEWATER_SECRET_HOOK}
  subscriptions:
    - {trigger: on-deployed, apps: ['shop-*', 'web']}
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: bot-slack}
spec:
  type: slack
  tokenRef: {env: TIDEWATER_SECRET_TOKEN}
  channel: general
---
apiVersion: tidewater.dev/v1alpha1
kind: NotificationChannel
metadata: {name: audit.hook}
spec:
  type: webhook
  url: https://audit.example.com/in
`,
}]).config, triggers.names).channels;

const application = (annotations: Record<string, string>) => ({ metadata: { name: 'shop-eu', annotations } }) as unknown as ArgoApplication;

describe('subscriptions', () => {
  it('reads argocd-notifications annotations, with default triggers and ;-separated recipients', () => {
    expect(parseArgoSubscriptions({
      'notifications.argoproj.io/subscribe.on-sync-failed.slack': 'alerts; #ops ;',
      'notifications.argoproj.io/subscribe.slack': 'deployments',
      'notifications.argoproj.io/subscribe.on-deployed.audit.hook': '',
      'argocd-image-updater.argoproj.io/image-list': 'x',
    })).toEqual([
      { annotation: 'notifications.argoproj.io/subscribe.on-sync-failed.slack', triggers: ['on-sync-failed'], service: 'slack', recipients: ['alerts', '#ops'] },
      { annotation: 'notifications.argoproj.io/subscribe.slack', triggers: defaultTriggerNames, service: 'slack', recipients: ['deployments'] },
      { annotation: 'notifications.argoproj.io/subscribe.on-deployed.audit.hook', triggers: ['on-deployed'], service: 'audit.hook', recipients: [] },
    ]);
  });

  it('combines channel subscriptions (app globs) and annotations, one target per destination', () => {
    const { targets, problems } = resolveTargets({
      trigger: 'on-deployed', app: 'shop-eu', channels, knownTriggers: triggers.names,
      application: application({
        'notifications.argoproj.io/subscribe.on-deployed.slack': 'releases;#releases;general',
        'notifications.argoproj.io/subscribe.on-deployed.audit.hook': '',
        'notifications.argoproj.io/subscribe.on-deployed.hook-slack': '',
        'notifications.argoproj.io/subscribe.on-deployed.teams': 'x',
        'notifications.argoproj.io/subscribe.on-deploy.slack': 'typo',
      }),
    });
    // `slack` means the first Slack channel with a bot token; `general` is its own channel.
    expect(targets.map((target) => target.key)).toEqual(['hook-slack', 'bot-slack#releases', 'bot-slack', 'audit.hook']);
    expect(problems).toEqual([
      'annotation notifications.argoproj.io/subscribe.on-deployed.teams: no NotificationChannel for service teams',
      'annotation notifications.argoproj.io/subscribe.on-deploy.slack: unknown trigger on-deploy',
    ]);
  });

  it('matches channel subscriptions by trigger and app glob', () => {
    const resolve = (trigger: string, app: string) => resolveTargets({ trigger, app, channels, knownTriggers: triggers.names, application: undefined }).targets.map((target) => target.key);
    expect(resolve('on-deployed', 'web')).toEqual(['hook-slack']);
    expect(resolve('on-deployed', 'api')).toEqual([]);
    expect(resolve('on-sync-failed', 'shop-eu')).toEqual([]);
  });
});
