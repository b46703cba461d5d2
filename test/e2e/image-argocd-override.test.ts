import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes, type CloudEvent } from '@tidewater/events';
import { registryReceiverToken } from '@tidewater/gateway';
import { describeApp } from '@tidewater/tide';
import { startRegistry, waitFor, type TestRegistry } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf, waitForSync } from './helpers.ts';

/**
 * Image Updater's `write-back-method: argocd` (imperative mode): no Git commit; the promoter keeps the image as a
 * parameter override of the Application in Redis, the renderer applies it (kustomize images, helm parameters), the
 * syncer rolls it out, and `tide app get` (the API's application view) shows it. Real registry, git, control plane.
 */
describe('write-back-method argocd: a parameter override, no commit', () => {
  const registrySecret = randomBytes(20).toString('hex');
  let env: TidewaterEnvironment;
  let registry: TestRegistry;
  let redis: Redis;
  let apps: AppsV1Api;
  let token: string;

  const deploymentImage = async (name: string, namespace: string) =>
    (await apps.readNamespacedDeployment({ name, namespace })).spec?.template.spec?.containers[0]?.image;
  const waitForEvent = (app: string, type: string, match: (event: CloudEvent) => boolean) =>
    waitFor(`${type} event of ${app}`, async () => (await eventsOf(redis, type, { app })).find(match), { timeoutMs: 90_000, intervalMs: 50 });
  const annotate = async (app: string, annotations: string[]) => {
    const seeded = readFileSync(join(env.configDir, `${app}.yaml`), 'utf8');
    await env.writeConfig(`${app}.yaml`, seeded.replace(new RegExp(`metadata:\\n  name: ${app}\\n`), [
      'metadata:', `  name: ${app}`, '  annotations:', ...annotations.map((line) => `    ${line}`), '',
    ].join('\n')));
  };
  const appGet = async (app: string) => {
    const response = await fetch(`${env.apiUrl}/api/v1/applications/${app}`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    return response.json() as Promise<Parameters<typeof describeApp>[0]>;
  };

  beforeAll(async () => {
    process.env.TIDEWATER_SECRET_REGISTRY_WEBHOOK = registrySecret;
    env = await startTidewaterEnvironment();
    redis = new Redis(env.redis.url);
    apps = env.cluster.kubeConfig.makeApiClient(AppsV1Api);
    registry = await startRegistry({
      notifyUrl: `${env.gatewayUrl}/webhooks/registry/distribution`,
      notifyHeaders: { Authorization: `Bearer ${registryReceiverToken(registrySecret, 'distribution')}` },
    });
    await annotate('guestbook-dev', [
      `argocd-image-updater.argoproj.io/image-list: gb=${registry.host}/team/guestbook:>=1.0.0`,
      'argocd-image-updater.argoproj.io/gb.kustomize.image-name: registry.example.com/guestbook',
      'argocd-image-updater.argoproj.io/write-back-method: argocd',
    ]);
    await annotate('podinfo-dev', [
      `argocd-image-updater.argoproj.io/image-list: pi=${registry.host}/team/podinfo:~6`,
      'argocd-image-updater.argoproj.io/pi.helm.image-name: image.repository',
      'argocd-image-updater.argoproj.io/pi.helm.image-tag: image.tag',
      'argocd-image-updater.argoproj.io/pi.force-update: "true"',
      'argocd-image-updater.argoproj.io/write-back-method: argocd',
    ]);
    const policies = env.config().imagePolicies ?? [];
    expect(policies.filter((policy) => policy.app === 'guestbook-dev' || policy.app === 'podinfo-dev').map((policy) => [policy.id, policy.writeBack.method, policy.disabledReason]))
      .toEqual(expect.arrayContaining([['argocd:guestbook-dev:gb', 'argocd', undefined], ['argocd:podinfo-dev:pi', 'argocd', undefined]]));
    const session = await fetch(`${env.apiUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: env.adminPassword }) });
    token = ((await session.json()) as { token: string }).token;
    await Promise.all([waitForSync(redis, 'guestbook-dev', env.repo.head()), waitForSync(redis, 'podinfo-dev', env.repo.head())]);
  });
  afterAll(async () => {
    delete process.env.TIDEWATER_SECRET_REGISTRY_WEBHOOK;
    redis?.disconnect();
    await registry?.stop();
    await env?.stop();
  });

  it('kustomize: the pushed tag is rolled out without a commit, and tide app get shows the override', async () => {
    const image = `${registry.host}/team/guestbook`;
    const head = env.repo.head();
    await registry.pushImage('team/guestbook', '1.1.0');
    const updated = await waitForEvent('guestbook-dev', eventTypes.imageUpdated, (event) => event.data.newTag === '1.1.0');
    expect(updated.data).toMatchObject({ file: 'argocd parameter override', commit: head });
    await waitFor('the Deployment runs the override', async () => (await deploymentImage('dev-guestbook', 'guestbook-dev')) === `${image}:1.1.0`, { timeoutMs: 90_000 });
    expect(env.repo.head()).toBe(head);
    const view = await appGet('guestbook-dev');
    expect((view.spec.source as { kustomize?: { images?: string[] } }).kustomize?.images).toEqual([`registry.example.com/guestbook=${image}:1.1.0`]);
    expect(describeApp(view)).toMatch(new RegExp(`Condition: +ImageOverride: write-back-method argocd: ${image.replaceAll('.', '\\.')}:1\\.1\\.0 set by the promoter`));

    // The next tag replaces the override's entry (one entry per image), still without a commit.
    await registry.pushImage('team/guestbook', '1.2.0');
    await waitForEvent('guestbook-dev', eventTypes.imageUpdated, (event) => event.data.newTag === '1.2.0' && event.data.oldTag === '1.1.0');
    await waitFor('the Deployment runs 1.2.0', async () => (await deploymentImage('dev-guestbook', 'guestbook-dev')) === `${image}:1.2.0`, { timeoutMs: 90_000 });
    expect((((await appGet('guestbook-dev')).spec.source as { kustomize?: { images?: string[] } }).kustomize?.images)).toEqual([`registry.example.com/guestbook=${image}:1.2.0`]);
    expect(env.repo.head()).toBe(head);
  }, 180_000);

  it('helm: the override\'s parameters reach the chart', async () => {
    const image = `${registry.host}/team/podinfo`;
    const head = env.repo.head();
    await registry.pushImage('team/podinfo', '6.9.0');
    await waitForEvent('podinfo-dev', eventTypes.imageUpdated, (event) => event.data.newTag === '6.9.0');
    await waitFor('the Deployment runs the override', async () => (await deploymentImage('podinfo', 'podinfo-dev')) === `${image}:6.9.0`, { timeoutMs: 90_000 });
    expect(env.repo.head()).toBe(head);
    const parameters = ((await appGet('podinfo-dev')).spec.source as { helm?: { parameters?: unknown[] } }).helm?.parameters;
    expect(parameters).toEqual(expect.arrayContaining([
      { name: 'image.repository', value: image, forceString: true }, { name: 'image.tag', value: '6.9.0', forceString: true },
    ]));
  }, 180_000);
});
