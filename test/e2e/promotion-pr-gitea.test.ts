import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildConfig, type Pipeline, type PromotionStep, type TidewaterConfig } from '@tidewater/config';
import type { StoredFreight } from '@tidewater/queues';
import { createPromoterGit } from '@tidewater/promoter';
import { runPromotionSteps, type StepRunDeps } from '../../services/promoter/src/pipelines/steps/run-steps.ts';
import { giteaAvailable, giteaPaths, makeWorkDir, startGitea, startRedis, waitFor, type GiteaRepo, type GiteaServer, type RedisInstance } from '../harness/src/index.ts';

// Promotion steps git-open-pr + git-wait-for-pr against a real Gitea (built by scripts/setup unless --no-gitea): the
// step names its forge itself (provider, apiURL, tokenRef), opens the pull request, and waits until it is merged.
const available = giteaAvailable();
if (!available) console.warn(`promotion-pr-gitea: skipped, Gitea is not built (expected ${giteaPaths().binary}); run scripts/setup without --no-gitea`);
const tokenEnv = 'TIDEWATER_SECRET_GITEA_PROMOTION_PR';

const freight: StoredFreight = {
  id: 'c'.repeat(64), alias: 'calm-otter-cccc', pipeline: 'shop', createdAt: new Date().toISOString(), source: 'app',
  images: [{ repoURL: 'registry.test/shop', tag: '3.1.0' }], commits: [], charts: [],
};

describe.skipIf(!available)('git-open-pr + git-wait-for-pr against a real Gitea', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let gitea: GiteaServer;
  let repo: GiteaRepo;
  let config: TidewaterConfig;
  const work = makeWorkDir('promotion-pr-gitea');

  beforeAll(async () => {
    [redisServer, gitea] = await Promise.all([startRedis(), startGitea()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    repo = await gitea.createRepo('shop', { 'env/prod/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deployment.yaml]\n' });
    const built = buildConfig([{ file: 'shop.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop-prod}
spec:
  project: default
  source: {repoURL: '${repo.cloneUrl}', path: env/prod, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop}
` }]);
    expect(built.errors).toEqual([]);
    config = built.config;
  }, 180_000);
  afterAll(async () => {
    redis?.disconnect();
    await Promise.all([redisServer?.stop(), gitea?.stop()]);
    work.remove();
  });

  const pipeline: Pipeline = { name: 'shop', origin: 'kargo', spec: { sources: [{ name: 'app', image: { repoURL: 'registry.test/shop' } }], stages: [{ name: 'prod', applications: ['shop-prod'], freightFrom: { sources: ['app'] } }] } };
  const deps = (): StepRunDeps => ({
    config: () => config, redis, cacheDir: join(work.dir, 'cache'),
    git: createPromoterGit({ credentials: (url) => (url.startsWith(gitea.url) ? { username: gitea.admin.username, password: gitea.admin.token } : undefined) }),
    author: { name: 'tidewater-promoter', email: 'promoter@tidewater.invalid' }, producers: { requestRender: async () => ({ jobId: 'unused', added: true }) },
    env: { [tokenEnv]: gitea.admin.token },
  });
  const forge = () => ({ provider: 'gitea', apiURL: gitea.apiUrl, tokenRef: { env: tokenEnv } });
  const steps = (branch: string): PromotionStep[] => [
    { uses: 'git-clone', config: { repoURL: repo.cloneUrl, checkout: [{ branch: 'main', path: './src' }] } },
    { uses: 'kustomize-set-image', config: { path: './src/env/prod', images: [{ image: 'registry.test/shop' }] } },
    { uses: 'git-commit', config: { path: './src', message: 'promote ${{ freight.alias }}' } },
    { uses: 'git-push', config: { path: './src', targetBranch: branch } },
    { uses: 'git-open-pr', as: 'open', config: { repoURL: repo.cloneUrl, sourceBranch: branch, targetBranch: 'main', ...forge() } },
    { uses: 'git-wait-for-pr', as: 'wait', config: { repoURL: repo.cloneUrl, prNumber: '${{ outputs.open.pr.id }}', pollInterval: '200ms', timeout: '2m', ...forge() } },
  ];
  const giteaApi = async (method: string, path: string, body?: unknown) => fetch(`${gitea.apiUrl}${path}`, {
    method, headers: { authorization: `token ${gitea.admin.token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const run = (list: PromotionStep[], promoted = freight) => runPromotionSteps(deps(), { pipeline, stage: pipeline.spec.stages[0], freight: promoted, actor: 'erin', promotionId: 'p1' }, list, async () => {});

  it('opens the pull request with the step\'s own forge settings, waits for its merge and records the merge commit', async () => {
    const running = run(steps('promote/prod'));
    // A reviewer merges it while the step waits.
    const pull = await waitFor('the pull request', async () => (await gitea.pullRequests(repo.fullName)).find((candidate) => candidate.head.ref === 'promote/prod'), { timeoutMs: 60_000, intervalMs: 200 });
    expect(pull.base.ref).toBe('main');
    expect(pull.title).toBe(`Promote ${freight.alias} to prod`);
    const merged = await giteaApi('POST', `/repos/${repo.fullName}/pulls/${pull.number}/merge`, { Do: 'merge' });
    expect(merged.status).toBe(200);
    const outcome = await running;
    expect(outcome.failure).toBeUndefined();
    expect(outcome.steps.map((step) => step.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    const mainHead = await gitea.branchHead(repo.fullName, 'main');
    expect(outcome.steps[5].output).toMatchObject({ prNumber: pull.number, state: 'merged', branch: 'main', commit: mainHead });
    expect(outcome.revisions).toContainEqual({ repoURL: repo.cloneUrl, branch: 'main', revision: mainHead });
    expect(await gitea.fileAt(repo.fullName, 'main', 'env/prod/kustomization.yaml')).toContain('newTag: 3.1.0');
    // The token is in no step output.
    expect(JSON.stringify(outcome)).not.toContain(gitea.admin.token);
  });

  it('fails the step, naming the pull request, when it is closed without a merge', async () => {
    const running = run(steps('promote/closed'), { ...freight, id: 'e'.repeat(64), alias: 'eager-otter-eeee', images: [{ repoURL: 'registry.test/shop', tag: '3.2.0' }] });
    const pull = await waitFor('the pull request', async () => (await gitea.pullRequests(repo.fullName)).find((candidate) => candidate.head.ref === 'promote/closed'), { timeoutMs: 60_000, intervalMs: 200 });
    expect((await giteaApi('PATCH', `/repos/${repo.fullName}/pulls/${pull.number}`, { state: 'closed' })).status).toBe(201);
    const outcome = await running;
    expect(outcome.steps[5]).toMatchObject({ uses: 'git-wait-for-pr', state: 'failed' });
    expect(outcome.failure).toContain(`pull request #${pull.number} of ${repo.fullName} was closed without being merged`);
  });
});
