import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes, type CloudEvent } from '@tidewater/events';
import { registryReceiverToken } from '@tidewater/gateway';
import { startRegistry, waitFor, type TestRegistry } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf, waitForSync } from './helpers.ts';

/**
 * Image Updater's default write-back target, `.argocd-source-<app>.yaml`, round-trips: the promoter writes the file,
 * the renderer merges it over the Application's source as Argo CD does (kustomize images, helm parameters), and the
 * syncer applies the new image. Both with the real registry's notifications, git server and control plane.
 */
describe('.argocd-source-<app>.yaml written by the promoter is applied by the renderer', () => {
  const registrySecret = randomBytes(20).toString('hex');
  let env: TidewaterEnvironment;
  let registry: TestRegistry;
  let redis: Redis;
  let apps: AppsV1Api;

  const deploymentImage = async (name: string, namespace: string) =>
    (await apps.readNamespacedDeployment({ name, namespace })).spec?.template.spec?.containers[0]?.image;
  const fileAtHead = (path: string) => execFileSync('git', ['--git-dir', env.repo.gitDir, 'show', `main:${path}`], { encoding: 'utf8' });
  const waitForEvent = (app: string, type: string, match: (event: CloudEvent) => boolean) =>
    waitFor(`${type} event of ${app}`, async () => (await eventsOf(redis, type, { app })).find(match), { timeoutMs: 90_000, intervalMs: 50 });
  const annotate = async (app: string, annotations: string[]) => {
    const seeded = readFileSync(join(env.configDir, `${app}.yaml`), 'utf8');
    await env.writeConfig(`${app}.yaml`, seeded.replace(new RegExp(`metadata:\\n  name: ${app}\\n`), [
      'metadata:', `  name: ${app}`, '  annotations:', ...annotations.map((line) => `    ${line}`), '',
    ].join('\n')));
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
    // No write-back-target: Image Updater's default, the parameter-override file beside the Application's path.
    await annotate('guestbook-dev', [
      `argocd-image-updater.argoproj.io/image-list: gb=${registry.host}/team/guestbook:>=1.0.0`,
      'argocd-image-updater.argoproj.io/gb.kustomize.image-name: registry.example.com/guestbook',
    ]);
    await annotate('podinfo-dev', [
      `argocd-image-updater.argoproj.io/image-list: pi=${registry.host}/team/podinfo:~6`,
      'argocd-image-updater.argoproj.io/pi.helm.image-name: image.repository',
      'argocd-image-updater.argoproj.io/pi.helm.image-tag: image.tag',
      // The chart runs registry.example.com/podinfo until the first update: force-update, as with Image Updater.
      'argocd-image-updater.argoproj.io/pi.force-update: "true"',
    ]);
    const ids = env.config().imagePolicies?.map((policy) => policy.id) ?? [];
    expect(ids).toEqual(expect.arrayContaining(['argocd:guestbook-dev:gb', 'argocd:podinfo-dev:pi']));
    await Promise.all([waitForSync(redis, 'guestbook-dev', env.repo.head()), waitForSync(redis, 'podinfo-dev', env.repo.head())]);
  });
  afterAll(async () => {
    delete process.env.TIDEWATER_SECRET_REGISTRY_WEBHOOK;
    redis?.disconnect();
    await registry?.stop();
    await env?.stop();
  });

  it('kustomize: the images entry in the file becomes the Deployment\'s image', async () => {
    const image = `${registry.host}/team/guestbook`;
    expect(await deploymentImage('dev-guestbook', 'guestbook-dev')).toBe('registry.example.com/guestbook:v1.0.0');
    await registry.pushImage('team/guestbook', '1.1.0');
    const updated = await waitForEvent('guestbook-dev', eventTypes.imageUpdated, (event) => event.data.newTag === '1.1.0');
    const file = 'apps/guestbook/overlays/dev/.argocd-source-guestbook-dev.yaml';
    expect(updated.data).toMatchObject({ file });
    expect(fileAtHead(file)).toBe(`kustomize:\n  images:\n    - registry.example.com/guestbook=${image}:1.1.0\n`);
    expect((await waitForSync(redis, 'guestbook-dev', String(updated.data.commit))).phase).toBe('Succeeded');
    expect(await deploymentImage('dev-guestbook', 'guestbook-dev')).toBe(`${image}:1.1.0`);
  }, 120_000);

  it('helm: the parameters in the file override the values files', async () => {
    const image = `${registry.host}/team/podinfo`;
    const before = await deploymentImage('podinfo', 'podinfo-dev');
    expect(before).toMatch(/^registry\.example\.com\/podinfo:/);
    await registry.pushImage('team/podinfo', '6.9.0');
    const updated = await waitForEvent('podinfo-dev', eventTypes.imageUpdated, (event) => event.data.newTag === '6.9.0');
    const file = 'charts/podinfo-lite/.argocd-source-podinfo-dev.yaml';
    expect(updated.data).toMatchObject({ file });
    expect(fileAtHead(file)).toContain('forcestring: true');
    expect((await waitForSync(redis, 'podinfo-dev', String(updated.data.commit))).phase).toBe('Succeeded');
    expect(await deploymentImage('podinfo', 'podinfo-dev')).toBe(`${image}:6.9.0`);
  }, 120_000);
});
