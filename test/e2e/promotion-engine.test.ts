import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents, type CloudEvent, type EventPublisher } from '@tidewater/events';
import { createPipelineEngine, createPromoterGit, type PipelineEngine } from '@tidewater/promoter';
import { eventsStream, redisKeys } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startGitServer, waitFor, type GitRepo, type GitServer } from '../harness/src/index.ts';
import { createProgram, runProgram } from '@tidewater/tide';
import { apiTestConfigYaml, startApiFixture, type ApiFixture } from './api-fixture.ts';

// The promotion engine and the pipeline API against real Redis and a real git server. The syncer's part (sync result
// and health of each Application) is played by writing its records and publishing its events, so each step of the
// pipeline can be looked at in turn; test/e2e/promotion.test.ts runs the same flow with the real syncer and cluster.

const image = 'registry.test/team/app';
const pipelineName = 'app-pipeline';
const overlay = (stage: string) => `overlays/${stage}/kustomization.yaml`;
const kustomization = (stage: string) => [
  'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', `namespace: app-${stage}`, 'resources: [../../base]',
  'images:', '  - name: registry.example.com/app', '    newTag: 1.0.0', '',
].join('\n');

function configYaml(repoUrl: string): string {
  const app = (name: string, stage: string, annotations = '') => `---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}${annotations}
spec:
  project: web
  source: {repoURL: '${repoUrl}', path: overlays/${stage}, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: app-${stage}}
`;
  return `${apiTestConfigYaml.replace('    g, dana, role:deployer', [
    '    p, role:deployer, pipelines, promote, */*, allow',
    '    p, role:deployer, pipelines, update, */*, allow',
    '    g, dana, role:deployer',
  ].join('\n'))}${app('pipe-dev', 'dev', `
  annotations:
    argocd-image-updater.argoproj.io/image-list: app=${image}
    argocd-image-updater.argoproj.io/app.kustomize.image-name: registry.example.com/app
    argocd-image-updater.argoproj.io/write-back-target: kustomization`)}${app('pipe-staging', 'staging')}${app('pipe-prod', 'prod')}${app('pipe-sandbox', 'sandbox')}---
apiVersion: tidewater.dev/v1alpha1
kind: Pipeline
metadata: {name: ${pipelineName}}
spec:
  sources:
  - {name: app, imagePolicy: 'argocd:pipe-dev:app'}
  stages:
  - name: dev
    applications: [pipe-dev]
    freightFrom: {sources: [app]}
    autoPromote: true
  - name: staging
    applications: [pipe-staging]
    freightFrom: {stages: [dev]}
    autoPromote: true
    gates:
    - {type: healthy}
    - {type: soak, duration: 1s}
    - {type: expression, name: dev-healthy, expression: "app.status.health.status == 'Healthy' && dev.status == 'Succeeded'"}
    - {type: commitStatus, key: ci/e2e}
  - name: production
    applications: [pipe-prod]
    freightFrom: {stages: [staging]}
    autoPromote: true
    approval: {required: 1}
  - name: sandbox
    applications: [pipe-sandbox]
    freightFrom: {stages: [staging]}
    autoPromote: true
    approval: {required: 1, expiresAfter: 1s}
`;
}

describe('promotion pipelines: engine and API (real Redis, real git server)', () => {
  let fixture: ApiFixture;
  let git: GitServer;
  let repo: GitRepo;
  let config: TidewaterConfig;
  let engine: PipelineEngine;
  let engineRedis: Redis;
  let syncer: EventPublisher;
  const work = makeWorkDir('promotion-engine');
  const tokens: Record<string, string> = {};
  const as = (user: string) => ({ authorization: `Bearer ${tokens[user]}` });
  const api = (user: string, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    fixture.app.inject({ method, url, headers: as(user), ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}) });
  const status = async () => (await api('admin', 'GET', `/api/v1/pipelines/${pipelineName}`)).json() as {
    stages: Array<{
      name: string; currentFreight: { id: string; alias: string; images: Array<{ tag: string }> } | null;
      promotion: { state: string; freight: string; kind?: string; steps: Array<{ uses: string; state: string; output?: Record<string, unknown> }>; revision?: string; approvals?: Array<{ user: string }> } | null;
      hold: { by: string; reason: string } | null; waiting: Array<{ gate: string; passed: boolean; reason: string }>;
      approvals: { required: number; pending: Array<{ freight: string; requestedBy: string }> } | null;
    }>;
  };
  let server: string;
  /** The `tide` CLI in this process against the listening API, as `user`. */
  const tide = async (user: string, ...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const program = createProgram({ env: { TIDE_SERVER: server, TIDE_AUTH_TOKEN: tokens[user], TIDE_CONFIG: '/nonexistent/tide-config' }, out: (text) => out.push(text), err: (text) => err.push(text), runAll: async () => {} });
    const code = await runProgram(program, argv, (text) => err.push(text));
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  const stageOf = async (name: string) => (await status()).stages.find((stage) => stage.name === name)!;
  const fileAt = (path: string) => execFileSync('git', ['--git-dir', repo.gitDir, 'show', `main:${path}`], { encoding: 'utf8' });
  const events = async (type: string) => (await readAllEvents(fixture.redis, 100_000)).filter((event) => event.type === type);
  const waitForEvent = (type: string, match: (event: CloudEvent) => boolean = () => true) =>
    waitFor(`${type} event`, async () => (await events(type)).find(match), { timeoutMs: 30_000, intervalMs: 50 });

  /** What the syncer records after syncing `app` at `revision`, then its event (the engine's consumer group reads it). */
  const syncerRecords = async (app: string, revision: string, health: 'Healthy' | 'Progressing', healthRevision = revision) => {
    const at = new Date().toISOString();
    await fixture.redis.set(redisKeys.syncStatus(app), JSON.stringify({ app, revision, phase: 'Succeeded', startedAt: at, finishedAt: at, durationMs: 1, objects: [] }));
    await fixture.redis.set(redisKeys.appHealth(app), JSON.stringify({ app, status: health, revision: healthRevision, objects: [], updatedAt: at }));
    await syncer.publish({ type: eventTypes.syncSucceeded, data: { app, revision } });
    await syncer.publish({ type: eventTypes.healthChanged, data: { app, revision, health } });
  };
  const waitForPromotion = (stage: string, freight: string) => waitFor(`${stage} promoted to ${freight.slice(0, 8)}`, async () => {
    const found = await stageOf(stage);
    return found.promotion?.freight === freight && (found.promotion.state === 'succeeded' || found.promotion.state === 'failed') ? found : undefined;
  }, { timeoutMs: 30_000, intervalMs: 50 });
  const newImage = async (tag: string) => {
    const digest = `sha256:${createHash('sha256').update(tag).digest('hex')}`;
    await engine.imageDecided({ policy: 'argocd:pipe-dev:app', image, tag, digest });
    const freight = (await api('admin', 'GET', `/api/v1/pipelines/${pipelineName}/freight?limit=1`)).json() as { items: Array<{ id: string; alias: string; images: Array<{ tag: string }> }> };
    expect(freight.items[0].images[0].tag).toBe(tag);
    return freight.items[0];
  };

  beforeAll(async () => {
    git = await startGitServer();
    repo = git.createRepo('org/pipes');
    await repo.commit({
      'base/kustomization.yaml': 'resources: []\n',
      ...Object.fromEntries(['dev', 'staging', 'prod', 'sandbox'].map((stage) => [overlay(stage), kustomization(stage)])),
    }, 'the app and its overlays');
    const { config: built, errors } = buildConfig([{ file: 'pipes.yaml', text: configYaml(repo.url) }]);
    expect(errors.map((error) => error.message)).toEqual([]);
    expect(built.pipelines?.map((pipeline) => pipeline.name)).toEqual([pipelineName]);
    config = built;
    fixture = await startApiFixture({ config: () => config });
    await fixture.app.listen({ port: 0, host: '127.0.0.1' });
    server = `http://127.0.0.1:${(fixture.app.server.address() as { port: number }).port}`;
    for (const user of ['admin', 'alice', 'dana']) tokens[user] = await fixture.login(user);
    for (const user of ['erin', 'vic']) tokens[user] = await fixture.apiToken(user);
    engineRedis = new Redis(fixture.redisServer.url, { maxRetriesPerRequest: null });
    syncer = createEventPublisher({ redis: fixture.redis, source: '/tidewater/syncer' });
    engine = createPipelineEngine({
      config: () => config, redis: engineRedis, events: createEventPublisher({ redis: engineRedis, source: '/tidewater/promoter' }),
      logger: createLogger('promotion-test', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' }), git: createPromoterGit(), cacheDir: work.dir, resyncIntervalMs: 0,
    });
    // The engine's consumer group exists before the first event is published.
    await waitFor('pipeline consumer group', async () => {
      const groups = (await fixture.redis.xinfo('GROUPS', eventsStream).catch(() => [])) as unknown[][];
      return groups.some((group) => group.includes('promoter-pipelines'));
    }, { timeoutMs: 10_000 });
  });
  afterAll(async () => {
    await engine?.close();
    engineRedis?.disconnect();
    await fixture?.close();
    await git?.stop();
    work.remove();
  });

  let first: { id: string; alias: string };

  it('a new tag for the source policy is one content-addressed freight, and dev gets it by the default steps', async () => {
    first = await newImage('1.2.0');
    const canonical = JSON.stringify({ images: [{ repoURL: image, tag: '1.2.0', digest: `sha256:${createHash('sha256').update('1.2.0').digest('hex')}` }], commits: [], charts: [] });
    expect(first.id).toBe(createHash('sha256').update(canonical).digest('hex'));
    expect(first.alias).toMatch(/^[a-z]+-[a-z]+-[0-9a-f]{4}$/);
    // The same artifacts again: the same freight, no second freight.created.
    await engine.imageDecided({ policy: 'argocd:pipe-dev:app', image, tag: '1.2.0', digest: `sha256:${createHash('sha256').update('1.2.0').digest('hex')}` });
    expect((await events(eventTypes.freightCreated)).filter((event) => event.data.freight === first.id)).toHaveLength(1);

    const dev = await waitForPromotion('dev', first.id);
    expect(dev.promotion).toMatchObject({ state: 'succeeded', kind: 'auto' });
    expect(dev.promotion!.steps.map((step) => `${step.uses}:${step.state}`)).toEqual(['kustomize-set-image:succeeded', 'git-commit:succeeded', 'git-push:succeeded', 'argocd-update:succeeded']);
    expect(dev.promotion!.revision).toBe(repo.head());
    expect(fileAt(overlay('dev'))).toContain(`  - name: registry.example.com/app\n    newTag: 1.2.0\n    newName: ${image}`);
    expect(fileAt(overlay('staging'))).toContain('newTag: 1.0.0');
    expect(execFileSync('git', ['--git-dir', repo.gitDir, 'log', '-1', '--format=%s', 'main'], { encoding: 'utf8' }).trim()).toBe(`promote(${pipelineName}/dev): ${first.alias}`);
    expect((await waitForEvent(eventTypes.promotionSucceeded, (event) => event.data.stage === 'dev')).data).toMatchObject({ pipeline: pipelineName, freight: first.id, alias: first.alias, revision: repo.head() });
  });

  it('a Healthy observed before the promotion\'s own sync does not count; staging waits at its gates with reasons', async () => {
    const promoted = (await stageOf('dev')).promotion!.revision!;
    const before = execFileSync('git', ['--git-dir', repo.gitDir, 'rev-parse', `${promoted}^`], { encoding: 'utf8' }).trim();
    // A stale Healthy: the app synced and is healthy, but at the commit before the promotion.
    await syncerRecords('pipe-dev', before, 'Healthy');
    await engine.schedule(pipelineName);
    expect((await status()).stages.find((stage) => stage.name === 'staging')!.waiting).toEqual([]);
    expect((await fixture.redis.smembers(`tidewater:pipeline:${pipelineName}:freight:${first.id}:verified`))).toEqual([]);
    // The promoted commit synced, health not yet observed at it.
    await syncerRecords('pipe-dev', promoted, 'Healthy', before);
    await engine.schedule(pipelineName);
    expect(await fixture.redis.smembers(`tidewater:pipeline:${pipelineName}:freight:${first.id}:verified`)).toEqual([]);
    // Healthy at the promoted commit: verified in dev; staging's gates are looked at.
    await syncerRecords('pipe-dev', promoted, 'Healthy');
    const staging = await waitFor('staging waiting at its commit status gate', async () => {
      const found = await stageOf('staging');
      return found.waiting.find((gate) => gate.gate === 'commitStatus ci/e2e' && !gate.passed) && found.waiting.find((gate) => gate.gate === 'soak 1s' && gate.passed) ? found : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    expect(staging.waiting.map((gate) => [gate.gate, gate.passed])).toEqual([['healthy', true], ['soak 1s', true], ['dev-healthy', true], ['commitStatus ci/e2e', false]]);
    expect(staging.waiting.find((gate) => !gate.passed)!.reason).toBe(`no ci/e2e commit status for ${first.alias} yet`);
    expect(staging.currentFreight).toBeNull();
    expect((await waitForEvent(eventTypes.gateFailed, (event) => event.data.gate === 'commitStatus ci/e2e')).data).toMatchObject({ stage: 'staging', freight: first.id });
    // `tide pipeline status`: the stages, then what waits at which gate, for how long, and why.
    const shown = await tide('vic', 'pipeline', 'status', pipelineName);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(new RegExp(`dev +${first.alias} +${image}:1\\.2\\.0 +succeeded \\(auto by tidewater-promoter\\) +promote\\(${pipelineName}/dev\\): ${first.alias}`));
    expect(shown.out).toMatch(new RegExp(`Waiting at gates:\\nSTAGE +FREIGHT +GATE +FOR +REASON\\nstaging +${first.alias} +commitStatus ci/e2e +\\d+s +no ci/e2e commit status for ${first.alias} yet`));
  });

  it('a commit status set through the API opens the gate: staging is promoted automatically', async () => {
    expect((await api('vic', 'POST', `/api/v1/pipelines/${pipelineName}/commit-statuses`, { key: 'ci/e2e', freight: first.alias, state: 'success' })).statusCode).toBe(403);
    const set = await api('dana', 'POST', `/api/v1/pipelines/${pipelineName}/commit-statuses`, { key: 'ci/e2e', freight: first.alias, state: 'success', description: 'e2e suite passed' });
    expect(set.statusCode).toBe(200);
    const staging = await waitForPromotion('staging', first.id);
    expect(staging.promotion!.state).toBe('succeeded');
    expect(fileAt(overlay('staging'))).toContain('newTag: 1.2.0');
    expect((await waitForEvent(eventTypes.gatePassed, (event) => event.data.gate === 'commitStatus ci/e2e')).data).toMatchObject({ reason: 'ci/e2e is success: e2e suite passed' });
  });

  it('production waits for an approver: 403 (audited) without the role, approval through the API promotes it with the approval recorded', async () => {
    await syncerRecords('pipe-staging', (await stageOf('staging')).promotion!.revision!, 'Healthy');
    const production = await waitFor('production approval request', async () => {
      const found = await stageOf('production');
      return found.approvals?.pending.length ? found : undefined;
    }, { timeoutMs: 30_000, intervalMs: 100 });
    expect(production.approvals).toMatchObject({ required: 1, pending: [{ freight: first.id, requestedBy: 'tidewater-promoter' }] });
    expect(production.currentFreight).toBeNull();
    expect((await waitForEvent(eventTypes.promotionRequested, (event) => event.data.stage === 'production')).data).toMatchObject({ freight: first.id, kind: 'auto' });

    for (const user of ['vic', 'dana']) {
      const denied = await api(user, 'POST', `/api/v1/pipelines/${pipelineName}/stages/production/approve`, { freight: first.alias });
      expect(denied.statusCode).toBe(403);
      expect(denied.json()).toMatchObject({ message: `permission denied: approvals, approve, ${pipelineName}/production` });
      expect((await waitForEvent(eventTypes.promotionApprovalDenied, (event) => event.data.actor === user)).data).toMatchObject({ stage: 'production', freight: first.id });
    }
    expect((await stageOf('production')).currentFreight).toBeNull();

    const pending = await tide('vic', 'pipeline', 'status', pipelineName);
    expect(pending.out).toMatch(new RegExp(`Pending approvals:\\n.*\\nproduction +${first.alias} +0/1 +tidewater-promoter`));
    const approved = await tide('erin', 'approve', pipelineName, 'production', first.alias, '--comment', 'LGTM, change 42');
    expect(approved).toMatchObject({ code: 0, out: `approved ${first.alias} for production (1/1)` });
    const promoted = await waitForPromotion('production', first.id);
    expect(promoted.promotion).toMatchObject({ state: 'succeeded', approvals: [{ user: 'erin' }] });
    expect(fileAt(overlay('prod'))).toContain('newTag: 1.2.0');
    // The audit trail: who approved, and the promotion carrying the approval.
    expect((await waitForEvent(eventTypes.promotionApproved)).data).toMatchObject({ actor: 'erin', comment: 'LGTM, change 42', stage: 'production' });
    const succeeded = await waitForEvent(eventTypes.promotionSucceeded, (event) => event.data.stage === 'production');
    expect(succeeded.data).toMatchObject({ freight: first.id, approvals: [{ user: 'erin', comment: 'LGTM, change 42' }] });
  });

  it('an approval request expires (sandbox: 1s); a late approval is refused and audited', async () => {
    const requested = await waitForEvent(eventTypes.promotionRequested, (event) => event.data.stage === 'sandbox');
    expect(requested.data).toMatchObject({ freight: first.id, kind: 'auto' });
    await waitFor('the request to expire', async () => (await stageOf('sandbox')).approvals!.pending.length === 0, { timeoutMs: 10_000, intervalMs: 100 });
    const late = await api('erin', 'POST', `/api/v1/pipelines/${pipelineName}/stages/sandbox/approve`, { freight: first.id });
    expect(late.statusCode).toBe(409);
    expect((await stageOf('sandbox')).currentFreight).toBeNull();
  });

  it('self-approval is refused when the operator asked for the promotion; a rejection ends the request', async () => {
    const requested = await api('alice', 'POST', `/api/v1/pipelines/${pipelineName}/stages/sandbox/promote`, { freight: first.alias, comment: 'try it' });
    expect(requested.statusCode).toBe(202);
    expect(requested.json()).toMatchObject({ promotion: { freight: first.id, state: 'waiting', kind: 'manual' } });
    await waitFor('alice\'s approval request', async () => (await stageOf('sandbox')).approvals!.pending.some((request) => request.requestedBy === 'alice'), { timeoutMs: 30_000, intervalMs: 50 });
    const self = await api('alice', 'POST', `/api/v1/pipelines/${pipelineName}/stages/sandbox/approve`, { freight: first.alias });
    expect(self.statusCode).toBe(403);
    expect(self.json().message).toContain('self-approval is forbidden');
    expect((await waitForEvent(eventTypes.promotionApprovalDenied, (event) => event.data.actor === 'alice')).data.reason).toContain('may not approve');
    expect((await api('erin', 'POST', `/api/v1/pipelines/${pipelineName}/stages/sandbox/reject`, { freight: first.alias, comment: 'not today' })).statusCode).toBe(200);
    await engine.schedule(pipelineName);
    await engine.idle();
    expect((await stageOf('sandbox')).currentFreight).toBeNull();
    expect((await waitForEvent(eventTypes.promotionRejected)).data).toMatchObject({ actor: 'erin', comment: 'not today' });
  });

  it('a rollback holds staging at once; a newer freight does not move it until released', async () => {
    // A second freight reaches staging.
    const second = await newImage('1.3.0');
    const devPromoted = await waitForPromotion('dev', second.id);
    await syncerRecords('pipe-dev', devPromoted.promotion!.revision!, 'Healthy');
    await api('dana', 'POST', `/api/v1/pipelines/${pipelineName}/commit-statuses`, { key: 'ci/e2e', freight: second.id, state: 'success' });
    await waitForPromotion('staging', second.id);
    expect(fileAt(overlay('staging'))).toContain('newTag: 1.3.0');

    // Roll back: the freight before the current, at once, and a hold.
    const rollback = await tide('dana', 'rollback', pipelineName, 'staging');
    expect(rollback).toMatchObject({ code: 0, out: `rolling staging back to ${first.alias}; held by dana until released` });
    const rolledBack = await waitForPromotion('staging', first.id);
    expect(rolledBack.promotion).toMatchObject({ state: 'succeeded', kind: 'rollback' });
    expect(rolledBack.hold).toMatchObject({ by: 'dana', reason: `rolled back to ${first.alias} by dana` });
    expect(fileAt(overlay('staging'))).toContain('newTag: 1.2.0');
    expect((await waitForEvent(eventTypes.stageHeld)).data).toMatchObject({ stage: 'staging', actor: 'dana' });

    // A third freight: dev takes it, staging (held) does not.
    const third = await newImage('1.4.0');
    const dev = await waitForPromotion('dev', third.id);
    await api('dana', 'POST', `/api/v1/pipelines/${pipelineName}/commit-statuses`, { key: 'ci/e2e', freight: third.id, state: 'success' });
    await syncerRecords('pipe-dev', dev.promotion!.revision!, 'Healthy');
    await waitFor('third freight verified in dev', async () => (await fixture.redis.smembers(`tidewater:pipeline:${pipelineName}:freight:${third.id}:verified`)).includes('dev'), { timeoutMs: 30_000, intervalMs: 100 });
    await engine.schedule(pipelineName);
    await engine.idle();
    const held = await stageOf('staging');
    expect(held.currentFreight?.id).toBe(first.id);
    expect(held.waiting).toEqual([]);
    expect(fileAt(overlay('staging'))).toContain('newTag: 1.2.0');

    // Released: the newest verified freight moves in (after its soak).
    expect((await api('vic', 'POST', `/api/v1/pipelines/${pipelineName}/stages/staging/release`)).statusCode).toBe(403);
    expect(await tide('dana', 'release', pipelineName, 'staging')).toMatchObject({ code: 0, out: 'staging released' });
    await waitForPromotion('staging', third.id);
    expect(fileAt(overlay('staging'))).toContain('newTag: 1.4.0');
    expect((await stageOf('staging')).hold).toBeNull();
    expect((await waitForEvent(eventTypes.stageReleased)).data).toMatchObject({ actor: 'dana', stage: 'staging' });
  });

  it('lists pipelines and freight for readers; unknown pipelines, stages and freight are 404', async () => {
    const rollbackApi = await api('dana', 'POST', `/api/v1/pipelines/${pipelineName}/stages/sandbox/rollback`, {});
    expect(rollbackApi.statusCode).toBe(409);
    expect((await tide('vic', 'pipeline', 'list')).out).toMatch(new RegExp(`${pipelineName} +tidewater +dev=\\S+ staging=\\S+ production=${first.alias} sandbox=-`));
    const list = await api('vic', 'GET', '/api/v1/pipelines');
    expect(list.statusCode).toBe(200);
    expect(list.json().items[0]).toMatchObject({ name: pipelineName, origin: 'tidewater', stages: [{ name: 'dev' }, { name: 'staging' }, { name: 'production', currentFreight: first.alias }, { name: 'sandbox', currentFreight: null }] });
    const page = (await api('vic', 'GET', `/api/v1/pipelines/${pipelineName}/freight?limit=2`)).json();
    expect(page.items.map((item: { images: Array<{ tag: string }> }) => item.images[0].tag)).toEqual(['1.4.0', '1.3.0']);
    const rest = (await api('vic', 'GET', `/api/v1/pipelines/${pipelineName}/freight?limit=2&cursor=${page.nextCursor}`)).json();
    expect(rest.items.map((item: { verifiedIn: string[]; images: Array<{ tag: string }> }) => [item.images[0].tag, item.verifiedIn])).toEqual([['1.2.0', ['dev', 'staging']]]);
    expect((await api('admin', 'GET', '/api/v1/pipelines/nope')).statusCode).toBe(404);
    expect((await api('dana', 'POST', `/api/v1/pipelines/${pipelineName}/stages/nope/promote`, { freight: first.id })).statusCode).toBe(404);
    const unknown = await api('dana', 'POST', `/api/v1/pipelines/${pipelineName}/stages/staging/promote`, { freight: 'no-such-freight' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().message).toContain('body.freight: freight no-such-freight not found');
  });
});
