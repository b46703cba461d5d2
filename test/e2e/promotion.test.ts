import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes, type CloudEvent } from '@tidewater/events';
import { waitFor, type TestRegistry } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf } from './helpers.ts';
import { setUpGuestbookPipeline } from './promotion-fixture.ts';

// The end-to-end flow with every part real: a registry push of app:1.2.0 → dev updated and healthy (Deployment
// Available on simulated nodes) → staging promoted automatically after its gates → production waits for approval →
// approved through the API → production applied; staging rolled back → held → the next image does not move it.

interface StageView {
  name: string;
  currentFreight: { id: string; alias: string; images: Array<{ tag: string }> } | null;
  promotion: { freight: string; state: string; kind: string; revision?: string; approvals?: Array<{ user: string }> } | null;
  hold: { by: string } | null;
  approvals: { pending: Array<{ freight: string }> } | null;
  waiting: Array<{ gate: string; passed: boolean; reason: string }>;
}

describe('promotion pipeline end to end: registry push → dev → staging → approval → production; rollback holds', () => {
  let env: TidewaterEnvironment;
  let registry: TestRegistry;
  let redis: Redis;
  let apps: AppsV1Api;
  let token: string;
  let image: string;

  const api = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const response = await fetch(`${env.apiUrl}${path}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: response.status, body: await response.json() as Record<string, unknown> };
  };
  const stage = async (name: string) => ((await api('GET', '/api/v1/pipelines/guestbook')).body.stages as StageView[]).find((candidate) => candidate.name === name)!;
  const deployedImage = async (namespace: string, name: string) => (await apps.readNamespacedDeployment({ name, namespace }).catch(() => undefined))?.spec?.template.spec?.containers[0]?.image;
  const available = async (namespace: string, name: string) => {
    const deployment = await apps.readNamespacedDeployment({ name, namespace }).catch(() => undefined);
    return deployment?.status?.conditions?.some((condition) => condition.type === 'Available' && condition.status === 'True') ?? false;
  };
  const waitForEvent = (type: string, match: (event: CloudEvent) => boolean) =>
    waitFor(`${type} event`, async () => (await eventsOf(redis, type)).find(match), { timeoutMs: 90_000, intervalMs: 100 });
  const fileAt = (path: string) => execFileSync('git', ['--git-dir', env.repo.gitDir, 'show', `main:${path}`], { encoding: 'utf8' });

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ registry: true, workloads: true });
    registry = env.registry!;
    image = `${registry.host}/demo/guestbook`;
    redis = new Redis(env.redis.url);
    apps = env.cluster.kubeConfig.makeApiClient(AppsV1Api);
    // The production overlay and its Application, then the pipeline.
    token = await setUpGuestbookPipeline(env);
    expect(env.config().pipelines?.map((candidate) => candidate.name)).toEqual(['guestbook']);
    // Every stage runs the base image first.
    for (const [namespace, name] of [['guestbook-dev', 'dev-guestbook'], ['guestbook-staging', 'staging-guestbook']]) {
      await waitFor(`${name} available`, () => available(namespace, name), { timeoutMs: 90_000 });
    }
    // The pipeline's consumer group exists before the first push (it reads only new events).
    await waitFor('pipeline consumer group', async () => {
      const groups = (await redis.xinfo('GROUPS', 'tidewater:events').catch(() => [])) as unknown[][];
      return groups.some((group) => group.includes('promoter-pipelines'));
    }, { timeoutMs: 10_000 });
  }, 240_000);
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  let first: { id: string; alias: string };

  it('push app:1.2.0 → dev updated and healthy → staging promoted automatically after its gates', async () => {
    await registry.pushImage('demo/guestbook', '1.2.0');
    const created = await waitForEvent(eventTypes.freightCreated, (event) => event.data.pipeline === 'guestbook');
    first = { id: String(created.data.freight), alias: String(created.data.alias) };
    await waitFor('dev runs 1.2.0 and is available', async () => (await deployedImage('guestbook-dev', 'dev-guestbook')) === `${image}:1.2.0` && available('guestbook-dev', 'dev-guestbook'), { timeoutMs: 90_000 });
    await waitForEvent(eventTypes.promotionSucceeded, (event) => event.data.stage === 'staging' && event.data.freight === first.id);
    expect(fileAt('apps/guestbook/overlays/staging/kustomization.yaml')).toContain(`newName: ${image}\n    newTag: 1.2.0`);
    await waitFor('staging runs 1.2.0', async () => (await deployedImage('guestbook-staging', 'staging-guestbook')) === `${image}:1.2.0`, { timeoutMs: 90_000 });
    const staging = await stage('staging');
    expect(staging.currentFreight).toMatchObject({ id: first.id, alias: first.alias, images: [{ tag: '1.2.0' }] });
    expect(staging.promotion).toMatchObject({ state: 'succeeded', kind: 'auto' });
  });

  it('production waits for approval; approved through the API, it is applied', async () => {
    const waiting = await waitFor('production approval request', async () => {
      const found = await stage('production');
      return found.approvals?.pending.some((request) => request.freight === first.id) ? found : undefined;
    }, { timeoutMs: 90_000, intervalMs: 200 });
    expect(waiting.currentFreight).toBeNull();
    expect(await deployedImage('guestbook-production', 'prod-guestbook')).toBe('registry.example.com/guestbook:v1.0.0');
    const approved = await api('POST', '/api/v1/pipelines/guestbook/stages/production/approve', { freight: first.alias, comment: 'ship it' });
    expect(approved.status).toBe(200);
    await waitFor('production runs 1.2.0', async () => (await deployedImage('guestbook-production', 'prod-guestbook')) === `${image}:1.2.0`, { timeoutMs: 90_000 });
    const promoted = await stage('production');
    expect(promoted.promotion).toMatchObject({ state: 'succeeded', approvals: [{ user: 'admin' }] });
    const succeeded = await waitForEvent(eventTypes.promotionSucceeded, (event) => event.data.stage === 'production');
    expect(succeeded.data).toMatchObject({ freight: first.id, approvals: [{ user: 'admin', comment: 'ship it' }] });
  });

  it('staging rolled back is held: the next image moves dev but not staging until released', async () => {
    await registry.pushImage('demo/guestbook', '1.3.0');
    const second = await waitForEvent(eventTypes.freightCreated, (event) => event.data.freight !== first.id);
    await waitForEvent(eventTypes.promotionSucceeded, (event) => event.data.stage === 'staging' && event.data.freight === second.data.freight);
    await waitFor('staging runs 1.3.0', async () => (await deployedImage('guestbook-staging', 'staging-guestbook')) === `${image}:1.3.0`, { timeoutMs: 90_000 });

    const rollback = await api('POST', '/api/v1/pipelines/guestbook/stages/staging/rollback', {});
    expect(rollback.status).toBe(202);
    expect(rollback.body).toMatchObject({ promotion: { freight: first.id, kind: 'rollback' }, hold: { by: 'admin' } });
    await waitFor('staging back on 1.2.0', async () => (await deployedImage('guestbook-staging', 'staging-guestbook')) === `${image}:1.2.0`, { timeoutMs: 90_000 });

    await registry.pushImage('demo/guestbook', '1.4.0');
    const third = await waitForEvent(eventTypes.freightCreated, (event) => event.data.freight !== first.id && event.data.freight !== second.data.freight);
    await waitFor('dev runs 1.4.0', async () => (await deployedImage('guestbook-dev', 'dev-guestbook')) === `${image}:1.4.0` && available('guestbook-dev', 'dev-guestbook'), { timeoutMs: 90_000 });
    await waitFor('1.4.0 verified in dev', async () => ((await api('GET', '/api/v1/pipelines/guestbook/freight?limit=1')).body.items as Array<{ id: string; verifiedIn: string[] }>)[0]?.verifiedIn.includes('dev'), { timeoutMs: 90_000, intervalMs: 200 });
    const held = await stage('staging');
    expect(held.hold).toMatchObject({ by: 'admin' });
    expect(held.currentFreight?.id).toBe(first.id);
    expect(await deployedImage('guestbook-staging', 'staging-guestbook')).toBe(`${image}:1.2.0`);

    expect((await api('POST', '/api/v1/pipelines/guestbook/stages/staging/release')).status).toBe(200);
    await waitForEvent(eventTypes.promotionSucceeded, (event) => event.data.stage === 'staging' && event.data.freight === third.data.freight);
    await waitFor('staging runs 1.4.0', async () => (await deployedImage('guestbook-staging', 'staging-guestbook')) === `${image}:1.4.0`, { timeoutMs: 90_000 });
  });
});
