import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes, type CloudEvent } from '@tidewater/events';
import { registryReceiverToken } from '@tidewater/gateway';
import { redisKeys } from '@tidewater/queues';
import { requestControl } from '@tidewater/tide';
import { getMetrics } from '@tidewater/telemetry';
import { startRegistry, waitFor, type TestRegistry } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf, waitForSync } from './helpers.ts';

const app = 'guestbook-dev';
const overlay = 'apps/guestbook/overlays/dev/kustomization.yaml';

describe('a registry push becomes a Git commit and a rollout', () => {
  const registrySecret = randomBytes(20).toString('hex');
  let env: TidewaterEnvironment;
  let registry: TestRegistry;
  let redis: Redis;
  let apps: AppsV1Api;
  let image: string;

  const deployedImage = async () => (await apps.readNamespacedDeployment({ name: 'dev-guestbook', namespace: 'guestbook-dev' })).spec?.template.spec?.containers[0]?.image;
  const gitLog = (format: string) => execFileSync('git', ['--git-dir', env.repo.gitDir, 'log', '-1', `--format=${format}`, 'main'], { encoding: 'utf8' });
  const fileAtHead = (path: string) => execFileSync('git', ['--git-dir', env.repo.gitDir, 'show', `main:${path}`], { encoding: 'utf8' });
  const waitForEvent = (type: string, match: (event: CloudEvent) => boolean) =>
    waitFor(`${type} event`, async () => (await eventsOf(redis, type, { app })).find(match), { timeoutMs: 60_000, intervalMs: 50 });

  /**
   * An operator's commit from a fresh clone (the harness's own checkout does not know the promoter's commits). Async:
   * the push waits for the post-receive hook, which posts to the gateway in this process.
   */
  const operatorCommit = async (path: string, edit: (text: string) => string, message: string) => {
    const run = promisify(execFile);
    const dir = mkdtempSync(join(tmpdir(), 'tidewater-operator-'));
    const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 'Olga Operator', GIT_AUTHOR_EMAIL: 'olga@example.com', GIT_COMMITTER_NAME: 'Olga Operator', GIT_COMMITTER_EMAIL: 'olga@example.com' };
    try {
      await run('git', ['clone', '--quiet', '--branch', 'main', env.repo.url, dir], { env: gitEnv });
      writeFileSync(join(dir, path), edit(readFileSync(join(dir, path), 'utf8')));
      await run('git', ['commit', '--quiet', '-am', message], { cwd: dir, env: gitEnv });
      await run('git', ['push', '--quiet', 'origin', 'HEAD:main'], { cwd: dir, env: gitEnv });
      return (await run('git', ['rev-parse', 'HEAD'], { cwd: dir })).stdout.trim();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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
    image = `${registry.host}/team/guestbook`;
    const seeded = readFileSync(join(env.configDir, `${app}.yaml`), 'utf8');
    await env.writeConfig(`${app}.yaml`, seeded.replace(/metadata:\n  name: guestbook-dev\n/, [
      'metadata:', '  name: guestbook-dev', '  annotations:',
      `    argocd-image-updater.argoproj.io/image-list: gb=${image}:>=1.0.0`,
      '    argocd-image-updater.argoproj.io/gb.update-strategy: semver',
      '    argocd-image-updater.argoproj.io/gb.ignore-tags: latest',
      '    argocd-image-updater.argoproj.io/gb.kustomize.image-name: registry.example.com/guestbook',
      '    argocd-image-updater.argoproj.io/write-back-method: git',
      '    argocd-image-updater.argoproj.io/write-back-target: kustomization', '',
    ].join('\n')));
    expect(env.config().imagePolicies?.map((policy) => policy.id)).toEqual(['argocd:guestbook-dev:gb']);
    await waitForSync(redis, app, env.repo.head());
  });
  afterAll(async () => {
    delete process.env.TIDEWATER_SECRET_REGISTRY_WEBHOOK;
    redis?.disconnect();
    await registry?.stop();
    await env?.stop();
  });

  it('a pushed tag is committed with Image Updater\'s message and author, and the Deployment runs it', async () => {
    expect(await deployedImage()).toBe('registry.example.com/guestbook:v1.0.0');
    const pushed = await registry.pushImage('team/guestbook', 'v1.1.0');
    const updated = await waitForEvent(eventTypes.imageUpdated, (event) => event.data.newTag === 'v1.1.0');
    expect(updated.data).toMatchObject({ image, newTag: 'v1.1.0', newDigest: pushed.digest, file: overlay, branch: 'main' });
    const commit = String(updated.data.commit);
    expect(env.repo.head()).toBe(commit);
    expect(gitLog('%an <%ae>').trim()).toBe('argocd-image-updater <noreply@argoproj.io>');
    expect(gitLog('%B').trim()).toBe(`build: automatic update of ${app}\n\nupdates image ${image} tag '' to 'v1.1.0'`);
    expect(fileAtHead(overlay)).toContain(`  - name: registry.example.com/guestbook\n    newName: ${image}\n    newTag: v1.1.0`);
    expect(fileAtHead(overlay)).toContain('count: 1');
    // The existing loop applies it: post-receive webhook → render → sync.
    expect((await waitForSync(redis, app, commit)).phase).toBe('Succeeded');
    expect(await deployedImage()).toBe(`${image}:v1.1.0`);
    const discovered = await eventsOf(redis, eventTypes.imageDiscovered, { app });
    expect(discovered.some((event) => event.data.tag === 'v1.1.0' && event.data.provider === 'registry-distribution')).toBe(true);
    const updatedTotal = (await getMetrics().registry.getSingleMetric('argocd_image_updater_images_updated_total')?.get())?.values ?? [];
    expect(updatedTotal.find((value) => value.labels.application === app)?.value).toBeGreaterThanOrEqual(1);
  });

  it('an older tag, an ignored tag and a tag outside the constraint commit nothing', async () => {
    const head = env.repo.head();
    for (const tag of ['v1.0.5', 'latest', 'v0.9.0']) await registry.pushImage('team/guestbook', tag);
    await waitFor('the three image jobs', async () => {
      const discovered = await eventsOf(redis, eventTypes.imageDiscovered, { app });
      return ['v1.0.5', 'v0.9.0'].every((tag) => discovered.some((event) => event.data.tag === tag));
    }, { timeoutMs: 30_000 });
    // `latest` is ignored by the policy; no job produced a commit.
    await waitFor('image jobs finished', async () => (await redis.keys('bull:tidewater-image:*')).length > 0 && (await import('bullmq').then(({ Queue }) => {
      const queue = new Queue('tidewater-image', { connection: { url: env.redis.url } });
      return queue.getJobCounts('waiting', 'active', 'delayed').finally(() => queue.close());
    })).active === 0);
    expect(env.repo.head()).toBe(head);
    expect(await deployedImage()).toBe(`${image}:v1.1.0`);
  });

  it('after tide rollback the newer tag is pinned until resume', async () => {
    const rollback = await requestControl({ kind: 'rollback', app, actor: 'alice', trace: {} }, { redisUrl: env.redis.url });
    expect(rollback).toMatchObject({ kind: 'rollback', paused: true });
    await waitFor('rolled back image', async () => (await deployedImage()) === 'registry.example.com/guestbook:v1.0.0', { timeoutMs: 60_000 });
    const head = env.repo.head();
    await registry.pushImage('team/guestbook', 'v1.2.0');
    const pinned = await waitForEvent(eventTypes.imagePinned, (event) => event.data.tag === 'v1.2.0');
    expect(pinned.data).toMatchObject({ cause: 'rollback' });
    expect(env.repo.head()).toBe(head);
    expect(await deployedImage()).toBe('registry.example.com/guestbook:v1.0.0');

    await requestControl({ kind: 'resume', app, actor: 'bob', trace: {} }, { redisUrl: env.redis.url });
    await registry.pushImage('team/guestbook', 'v1.2.1');
    const updated = await waitForEvent(eventTypes.imageUpdated, (event) => event.data.newTag === 'v1.2.1');
    expect(updated.data).toMatchObject({ oldTag: 'v1.1.0' });
    await waitForSync(redis, app, String(updated.data.commit));
    expect(await deployedImage()).toBe(`${image}:v1.2.1`);
  });

  it('a Git revert of the image change pins the image: the automation does not re-apply it', async () => {
    const reverted = await operatorCommit(overlay, (text) => text.replace('newTag: v1.2.1', 'newTag: v1.1.0'), 'Revert to v1.1.0: v1.2.1 is broken');
    await waitForSync(redis, app, reverted);
    expect(await deployedImage()).toBe(`${image}:v1.1.0`);
    await registry.pushImage('team/guestbook', 'v1.3.0');
    const pinned = await waitForEvent(eventTypes.imagePinned, (event) => event.data.tag === 'v1.3.0');
    expect(pinned.data).toMatchObject({ cause: 'git-revert' });
    expect(env.repo.head()).toBe(reverted);
    expect(await redis.get(redisKeys.paused(app))).toContain('image change reverted in Git');
    // `tide resume` lifts the pin; the next push is judged against the operator's tag.
    await requestControl({ kind: 'resume', app, actor: 'bob', trace: {} }, { redisUrl: env.redis.url });
    await registry.pushImage('team/guestbook', 'v1.3.1');
    const updated = await waitForEvent(eventTypes.imageUpdated, (event) => event.data.newTag === 'v1.3.1');
    expect(updated.data).toMatchObject({ oldTag: 'v1.1.0' });
  });
});
