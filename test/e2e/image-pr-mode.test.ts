import { execFileSync } from 'node:child_process';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createImageProducer, createRedisConnection, queueNames } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { createNotifier } from '../../services/notifier/src/notifier.ts';
import { startSlackSink, type SlackSink } from '../../services/notifier/src/test-support/slack-sink.ts';
import { createPromoter, type Promoter } from '../../services/promoter/src/promoter.ts';
import {
  makeWorkDir, startGitServer, startRedis, startRegistry, waitFor, type GitRepo, type GitServer, type RedisInstance, type TestRegistry,
} from '../harness/src/index.ts';
import { startForgeApiServer, type ForgeApiServer, type ForgeName } from './image-pr-fixtures/forge-api-server.ts';

// Pull-request mode against the forges' documented REST APIs (recorded fixtures; see image-pr-fixtures/README.md),
// with the branch pushed through the real git server.
const tokens: Record<ForgeName, string> = { github: 'ghp_prModeToken111', gitlab: 'glpat-prModeToken222', gitea: 'gitea-prModeToken333' };
const tokenEnv: Record<ForgeName, string> = { github: 'TIDEWATER_SECRET_GITHUB_PR', gitlab: 'TIDEWATER_SECRET_GITLAB_PR', gitea: 'TIDEWATER_SECRET_GITEA_PR' };
const forges: ForgeName[] = ['github', 'gitlab', 'gitea'];

/** Another host (a different loopback address and port): it must never see a token. */
async function startOtherHost() {
  const seen: Array<{ path: string; headers: IncomingHttpHeaders }> = [];
  const server = createServer((request, response) => {
    seen.push({ path: request.url ?? '', headers: request.headers });
    response.writeHead(201, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ number: 99, html_url: 'https://evil.example/pull/99' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.2', resolve));
  return { url: `http://127.0.0.2:${(server.address() as AddressInfo).port}`, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('image write-back in pull-request mode (GitHub, GitLab, Gitea APIs)', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let git: GitServer;
  let registry: TestRegistry;
  let forge: ForgeApiServer;
  let otherHost: Awaited<ReturnType<typeof startOtherHost>>;
  let slack: SlackSink;
  let promoter: Promoter;
  let config: TidewaterConfig;
  const repos = new Map<string, GitRepo>();
  const work = makeWorkDir('image-pr-mode');

  const branchExists = (repository: string, branch: string) => {
    const repo = repos.get(repository);
    if (!repo) return false;
    try {
      execFileSync('git', ['--git-dir', repo.gitDir, 'rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  const show = (repository: string, ref: string, path: string) => execFileSync('git', ['--git-dir', repos.get(repository)!.gitDir, 'show', `${ref}:${path}`], { encoding: 'utf8' });

  const kustomization = (image: string, tag: string) => [
    'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization', 'resources: [deployment.yaml]', 'images:', `  - name: ${image}`, `    newTag: ${tag}`, '',
  ].join('\n');

  const appAndPolicy = (app: string, repo: GitRepo, image: string, pullRequest: string) => [
    'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${app}}`, 'spec:', '  project: default',
    `  source: {repoURL: "${repo.url}", targetRevision: main, path: deploy}`,
    `  destination: {server: "https://kubernetes.default.svc", namespace: ${app}}`, '---',
    'apiVersion: tidewater.dev/v1alpha1', 'kind: ImagePolicy', `metadata: {name: ${app}}`, 'spec:', `  application: ${app}`, `  image: "${image}"`,
    '  writeBack:', '    target: kustomization', `    pullRequest: ${pullRequest}`,
  ].join('\n');

  beforeAll(async () => {
    [redisServer, git, registry, otherHost, slack] = await Promise.all([startRedis(), startGitServer(), startRegistry(), startOtherHost(), startSlackSink()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    forge = await startForgeApiServer({ tokens, branchExists, redirectTo: otherHost.url });
    const documents: string[] = [];
    for (const name of [...forges, 'moved']) {
      const repository = `acme/${name}`;
      const repo = git.createRepo(repository);
      repos.set(repository, repo);
      const image = `${registry.host}/org/${name}`;
      await repo.commit({ 'deploy/kustomization.yaml': kustomization(image, '1.0.0'), 'deploy/deployment.yaml': 'kind: Deployment\n' }, 'seed');
      const pullRequest = name === 'moved'
        ? `{provider: github, apiURL: "${forge.redirectingApiUrl}", tokenRef: {env: ${tokenEnv.github}}}`
        : `{provider: ${name}, apiURL: "${forge.apiUrl[name as ForgeName]}", tokenRef: {env: ${tokenEnv[name as ForgeName]}}}`;
      documents.push(appAndPolicy(`${name}-shop`, repo, image, pullRequest));
    }
    // An Image Updater user's Application: its annotations, plus Tidewater's pull-request annotations.
    const annotatedRepo = git.createRepo('acme/annotated');
    repos.set('acme/annotated', annotatedRepo);
    await annotatedRepo.commit({ 'deploy/kustomization.yaml': kustomization(`${registry.host}/org/annotated`, '1.0.0'), 'deploy/deployment.yaml': 'kind: Deployment\n' }, 'seed');
    documents.push([
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: annotated-shop', '  annotations:',
      `    argocd-image-updater.argoproj.io/image-list: "web=${registry.host}/org/annotated"`,
      '    argocd-image-updater.argoproj.io/write-back-method: git',
      '    argocd-image-updater.argoproj.io/write-back-target: kustomization',
      '    argocd-image-updater.argoproj.io/git-branch: "main:image-bumps"',
      '    tidewater.dev/image-pull-request: gitea',
      `    tidewater.dev/image-pull-request-api-url: "${forge.apiUrl.gitea}"`,
      `    tidewater.dev/image-pull-request-token: "env:${tokenEnv.gitea}"`,
      'spec:', '  project: default', `  source: {repoURL: "${annotatedRepo.url}", targetRevision: main, path: deploy}`,
      '  destination: {server: "https://kubernetes.default.svc", namespace: annotated}',
    ].join('\n'));
    documents.push([
      'apiVersion: tidewater.dev/v1alpha1', 'kind: NotificationChannel', 'metadata: {name: image-slack}', 'spec:', '  type: slack',
      '  webhookUrlRef: {env: TIDEWATER_SECRET_IMAGE_SLACK_HOOK}', `  apiUrl: ${slack.url}/api`,
      '  subscriptions: [{trigger: on-image-updated, apps: [github-shop]}]',
    ].join('\n'));
    const built = buildConfig([{ file: 'apps.yaml', text: documents.join('\n---\n') }]);
    expect(built.errors.map((error) => error.message)).toEqual([]);
    expect(built.config.warnings).toEqual([]);
    config = built.config;
    promoter = createPromoter({
      config: () => config, redis, logger: createLogger('test', { level: 'silent' }), cacheDir: join(work.dir, 'cache'),
      events: createEventPublisher({ redis, source: '/tidewater/promoter' }), concurrency: 1, pollIntervalMs: 0,
      env: Object.fromEntries(forges.map((name) => [tokenEnv[name], tokens[name]])),
    });
  });
  afterAll(async () => {
    await promoter?.close();
    redis?.disconnect();
    await Promise.all([git?.stop(), registry?.stop(), redisServer?.stop(), forge?.close(), otherHost?.close(), slack?.close()]);
    work.remove();
  });

  const runJob = async (name: string, tag: string, policy = `tidewater:${name}-shop`) => {
    const pushed = await registry.pushImage(`org/${name}`, tag);
    const producerConnection = createRedisConnection(redisServer.url, 'producer');
    await waitFor('producer ready', async () => producerConnection.status === 'ready');
    const producer = createImageProducer({ connection: producerConnection });
    const queueEvents = new QueueEvents(queueNames.image, { connection: { url: redisServer.url } });
    await queueEvents.waitUntilReady();
    const { jobId } = await producer.requestImageUpdate({
      policy, app: `${name}-shop`, image: `${registry.host}/org/${name}`, tag, digest: pushed.digest,
      source: { provider: 'test', deliveryId: `d-${name}-${tag}`, receivedAt: new Date().toISOString() }, trace: {},
    });
    try {
      return await new Promise<Record<string, unknown>>((resolve) => {
        queueEvents.on('completed', ({ jobId: id, returnvalue }) => (id === jobId ? resolve(returnvalue as unknown as Record<string, unknown>) : undefined));
        queueEvents.on('failed', ({ jobId: id, failedReason }) => (id === jobId ? resolve({ failed: failedReason }) : undefined));
      });
    } finally {
      await Promise.all([queueEvents.close(), producer.close()]);
      producerConnection.disconnect();
    }
  };

  it.each(forges)('%s: the first update pushes image-updater-<app> and opens a pull request; the second updates the same one', async (name) => {
    const repository = `acme/${name}`;
    const head = `image-updater-${name}-shop`;
    const mainBefore = repos.get(repository)!.head('main');

    const first = await runJob(name, '1.1.0');
    expect(first).toMatchObject({ outcome: 'updated', newTag: '1.1.0', pullRequest: { action: 'opened', number: 1 } });
    expect(show(repository, head, 'deploy/kustomization.yaml')).toContain('newTag: 1.1.0');
    expect(repos.get(repository)!.head(head)).toBe(first.commit);
    // Nothing is pushed to the branch the Application follows.
    expect(repos.get(repository)!.head('main')).toBe(mainBefore);
    expect(forge.pulls[name]).toHaveLength(1);
    expect(forge.pulls[name][0]).toMatchObject({ repository, head, base: 'main', title: `Update ${name}-shop: ${registry.host}/org/${name}:1.1.0` });

    const second = await runJob(name, '1.2.0');
    expect(second).toMatchObject({ outcome: 'updated', newTag: '1.2.0', oldTag: '1.1.0', pullRequest: { action: 'updated', number: 1 } });
    expect(show(repository, head, 'deploy/kustomization.yaml')).toContain('newTag: 1.2.0');
    expect(forge.pulls[name]).toHaveLength(1);
    expect(forge.pulls[name][0].title).toContain(':1.2.0');
    expect(repos.get(repository)!.head('main')).toBe(mainBefore);

    // The events name the pull request; the notifier's image trigger shows it.
    const updated = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.imageUpdated && event.data.app === `${name}-shop`);
    expect(updated.map((event) => [event.data.newTag, event.data.branch, event.data.pullRequestNumber])).toEqual([['1.1.0', head, 1], ['1.2.0', head, 1]]);
    expect(String(updated[0].data.pullRequestUrl)).toMatch(/\/1$/);

    // Every request of this forge carried its token, in its header form, and nothing else did.
    const seen = forge.requests.filter((request) => request.forge === name);
    expect(seen.length).toBeGreaterThanOrEqual(4);
    for (const request of seen) expect(JSON.stringify(request.headers)).toContain(tokens[name]);
    for (const other of forges.filter((candidate) => candidate !== name)) {
      for (const request of forge.requests.filter((candidate) => candidate.forge === other)) expect(JSON.stringify(request.headers)).not.toContain(tokens[name]);
    }
  });

  it('an API that redirects elsewhere does not get the token sent on: the update fails naming the redirect, the other host sees nothing', async () => {
    const result = await runJob('moved', '1.1.0');
    expect(String(result.failed)).toContain('redirect (307)');
    expect(String(result.failed)).not.toContain(tokens.github);
    expect(forge.requests.filter((request) => request.forge === 'redirect')).toHaveLength(1);
    expect(otherHost.seen).toEqual([]);
    const failed = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.imageUpdateFailed && event.data.app === 'moved-shop');
    expect(failed).toHaveLength(1);
    expect(String(failed[0].data.reason)).toContain('redirects are not followed');
    // No token in any event.
    expect(JSON.stringify(await readAllEvents(redis))).not.toMatch(/prModeToken/);
  });

  it('Image Updater annotations with tidewater.dev/image-pull-request: git-branch base:target names the pull request head', async () => {
    const result = await runJob('annotated', '1.1.0', 'argocd:annotated-shop:web');
    expect(result).toMatchObject({ outcome: 'updated', newTag: '1.1.0', pullRequest: { action: 'opened' } });
    expect(show('acme/annotated', 'image-bumps', 'deploy/kustomization.yaml')).toContain('newTag: 1.1.0');
    expect(forge.pulls.gitea.filter((pull) => pull.repository === 'acme/annotated')).toMatchObject([{ head: 'image-bumps', base: 'main' }]);
  });

  it('a forge failing after the push is retried: the owed pull request is opened once, and image.updated published once', async () => {
    forge.failNextWrites('gitlab', 1);
    const before = forge.pulls.gitlab.length;
    const result = await runJob('gitlab', '1.3.0');
    expect(result).toMatchObject({ outcome: 'updated', newTag: '1.3.0', pullRequest: { action: 'updated', number: 1 } });
    expect(forge.pulls.gitlab).toHaveLength(before);
    expect(forge.pulls.gitlab[0].title).toContain(':1.3.0');
    const updated = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.imageUpdated && event.data.newTag === '1.3.0');
    expect(updated).toHaveLength(1);
    expect(updated[0].data).toMatchObject({ app: 'gitlab-shop', pullRequestNumber: 1 });
  });

  it('after the pull request was merged, the next update starts again from the base and opens a new pull request', async () => {
    const repository = 'acme/github';
    const head = 'image-updater-github-shop';
    // The reviewer merges (fast-forward) and someone changes main afterwards.
    const clone = join(work.dir, 'operator');
    const gitIn = (...args: string[]) => execFileSync('git', ['-C', clone, '-c', 'user.name=Operator', '-c', 'user.email=op@example.invalid', ...args], { encoding: 'utf8' });
    execFileSync('git', ['clone', '--quiet', repos.get(repository)!.url, clone]);
    gitIn('merge', '--quiet', '--ff-only', `origin/${head}`);
    gitIn('commit', '--quiet', '--allow-empty', '-m', 'operator change after the merge');
    gitIn('push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    forge.markMerged('github', repository, 1);
    const mainAfterMerge = repos.get(repository)!.head('main');

    const result = await runJob('github', '1.4.0');
    expect(result).toMatchObject({ outcome: 'updated', newTag: '1.4.0', oldTag: '1.2.0', pullRequest: { action: 'opened', number: 2 } });
    // Built on main as it is now (a fast-forward of the old write branch, so no force-push was needed).
    const parent = execFileSync('git', ['--git-dir', repos.get(repository)!.gitDir, 'rev-parse', `${head}^`], { encoding: 'utf8' }).trim();
    expect(parent).toBe(mainAfterMerge);
    expect(forge.pulls.github.map((pull) => [pull.number, pull.state])).toEqual([[1, 'merged'], [2, 'open']]);
  });

  it('the notifier posts one Slack message per pushed image change, naming the app, image, old → new tag, commit and pull request', async () => {
    const notifier = createNotifier({
      config: () => config, redis, logger: createLogger('test', { level: 'silent' }),
      events: createEventPublisher({ redis, source: '/tidewater/notifier' }), consumerName: 'test',
      env: { TIDEWATER_SECRET_IMAGE_SLACK_HOOK: `${slack.url}/services/T0/B0/imagehook` }, delivery: { baseDelayMs: 10 },
    });
    try {
      await notifier.drainOnce();
    } finally {
      await notifier.stop();
    }
    const texts = slack.to('/services/T0/B0/imagehook').map((request) => (JSON.parse(request.body) as { text: string }).text);
    // github-shop's updates so far: 1.1.0, 1.2.0 (pull request 1) and 1.4.0 after the merge (pull request 2).
    expect(texts).toHaveLength(3);
    expect(texts[0]).toContain('Application *github-shop* has a new image');
    expect(texts[0]).toContain(`Image: ${registry.host}/org/github`);
    expect(texts[0]).toContain('Tag: 1.0.0 → 1.1.0');
    expect(texts[0]).toMatch(/Commit: [0-9a-f]{7}/);
    expect(texts[0]).toContain('Pull request: https://github.example/acme/github/pull/1');
    expect(texts[2]).toContain('Tag: 1.2.0 → 1.4.0');
    expect(texts[2]).toContain('/pull/2');
  });
});
