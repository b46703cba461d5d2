import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { buildConfig, type Pipeline, type PromotionStep, type TidewaterConfig } from '@tidewater/config';
import type { StoredFreight } from '@tidewater/queues';
import { makeWorkDir, startGitServer, startRedis, type GitRepo, type GitServer, type RedisInstance } from '../../../../../test/harness/src/index.ts';
import { createPromoterGit, type PromoterGit } from '../../git/promoter-git.ts';
import { runPromotionSteps, type StepRunDeps } from './run-steps.ts';

const freight: StoredFreight = {
  id: 'b'.repeat(64), alias: 'bold-lynx-bbbb', pipeline: 'shop', createdAt: new Date().toISOString(), source: 'app',
  images: [{ repoURL: 'registry.test/shop', tag: '2.1.0', digest: `sha256:${'d'.repeat(64)}` }], commits: [], charts: [],
};

// Promotion steps against a real git server (and Redis for the repository lock).
describe('promotion steps', () => {
  let redisServer: RedisInstance;
  let redis: Redis;
  let git: GitServer;
  let repo: GitRepo;
  let config: TidewaterConfig;
  const work = makeWorkDir('promotion-steps');

  beforeAll(async () => {
    [redisServer, git] = await Promise.all([startRedis(), startGitServer()]);
    redis = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    repo = git.createRepo('org/shop');
    await repo.commit({
      'overlays/prod/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [../../base]\n',
      'charts/shop/values.yaml': '# shop values\nimage:\n  repository: registry.test/shop\n  tag: 2.0.0 # set by the pipeline\n',
    }, 'shop');
    const built = buildConfig([{ file: 'shop.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop-prod}
spec:
  project: default
  source: {repoURL: '${repo.url}', path: overlays/prod, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop}
` }]);
    config = built.config;
  });
  afterAll(async () => {
    redis?.disconnect();
    await Promise.all([redisServer?.stop(), git?.stop()]);
    work.remove();
  });

  const pipeline: Pipeline = { name: 'shop', origin: 'kargo', spec: { sources: [{ name: 'app', imagePolicy: 'tidewater:shop' }], stages: [{ name: 'prod', applications: ['shop-prod'], freightFrom: { sources: ['app'] } }] } };
  const deps = (gitOverride?: PromoterGit): StepRunDeps => ({
    config: () => config, redis, git: gitOverride ?? createPromoterGit(), cacheDir: join(work.dir, 'cache'),
    author: { name: 'tidewater-promoter', email: 'promoter@tidewater.invalid' }, producers: { requestRender: async () => ({ jobId: 'unused', added: true }) },
  });
  const run = (steps: PromotionStep[], gitOverride?: PromoterGit) => runPromotionSteps(deps(gitOverride), { pipeline, stage: pipeline.spec.stages[0], freight, actor: 'erin', promotionId: 'p1' }, steps, async () => {});
  const show = (path: string, ref = 'main') => execFileSync('git', ['--git-dir', repo.gitDir, 'show', `${ref}:${path}`], { encoding: 'utf8' });

  it('runs Kargo-shaped steps: checkout paths, kustomize-set-image, yaml-update with ${{ }} templates, one commit and push, outputs by `as`', async () => {
    const outcome = await run([
      { uses: 'git-clone', config: { repoURL: repo.url, checkout: [{ branch: 'main', path: './out' }] } },
      { uses: 'kustomize-set-image', as: 'set-image', config: { path: './out/overlays/prod', images: [{ image: 'registry.test/shop' }] } },
      { uses: 'yaml-update', config: { path: './out/charts/shop/values.yaml', updates: [{ key: 'image.tag', value: '${{ imageFrom("registry.test/shop").Tag }}' }] } },
      { uses: 'git-commit', as: 'commit', config: { path: './out', message: "promote ${{ freight.alias }} to ${{ ctx.stage }}\n\n${{ outputs['set-image'].commitMessage }}" } },
      { uses: 'git-push', as: 'push', config: { path: './out' } },
    ]);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.steps.map((step) => step.state)).toEqual(['succeeded', 'succeeded', 'succeeded', 'succeeded', 'succeeded']);
    expect(outcome.steps[4].output).toMatchObject({ commit: repo.head(), branch: 'main', pushed: [{ files: ['overlays/prod/kustomization.yaml', 'charts/shop/values.yaml'] }] });
    expect(outcome.revisions).toEqual([{ repoURL: repo.url, branch: 'main', revision: repo.head() }]);
    expect(show('overlays/prod/kustomization.yaml')).toContain('images:\n  - name: registry.test/shop\n    newTag: 2.1.0');
    // The comment and the rest of the values file are kept.
    expect(show('charts/shop/values.yaml')).toBe('# shop values\nimage:\n  repository: registry.test/shop\n  tag: 2.1.0 # set by the pipeline\n');
    expect(execFileSync('git', ['--git-dir', repo.gitDir, 'log', '-1', '--format=%s|%an', 'main'], { encoding: 'utf8' }).trim()).toBe('promote bold-lynx-bbbb to prod|tidewater-promoter');
    expect(execFileSync('git', ['--git-dir', repo.gitDir, 'log', '-1', '--format=%b', 'main'], { encoding: 'utf8' }).trim()).toBe('Updated overlays/prod/kustomization.yaml to use new images\n\n- registry.test/shop=registry.test/shop:2.1.0');
  });

  it('a template that cannot be resolved fails its step naming it; later steps are skipped', async () => {
    const outcome = await run([
      { uses: 'yaml-update', config: { path: 'charts/shop/values.yaml', updates: [{ key: 'image.tag', value: '${{ imageFrom("other/image").Tag }}' }] } },
      { uses: 'git-push' },
    ]);
    expect(outcome.failure).toBe(`yaml-update: template \${{ imageFrom("other/image").Tag }}: cannot be resolved for freight ${freight.alias}`);
    expect(outcome.steps.map((step) => step.state)).toEqual(['failed', 'skipped']);
  });

  it('a push that keeps conflicting is retried on the new head, then fails naming the file; nothing is force-pushed', async () => {
    // Another writer pushes to main before each of the promoter's pushes (a real race through the git server).
    const other = mkdtempSync(join(tmpdir(), 'tidewater-other-'));
    execFileSync('git', ['clone', '--quiet', repo.url, other]);
    let competing = 0;
    const real = createPromoterGit();
    const racing: PromoterGit = {
      async run(cwd, args, context, signal) {
        if (args[0] === 'push') {
          execFileSync('git', ['pull', '--quiet', '--rebase', 'origin', 'main'], { cwd: other });
          writeFileSync(join(other, `competing-${competing++}.txt`), 'x');
          execFileSync('git', ['add', '.'], { cwd: other });
          execFileSync('git', ['-c', 'user.name=Other', '-c', 'user.email=o@x', 'commit', '--quiet', '-m', 'competing'], { cwd: other });
          execFileSync('git', ['push', '--quiet', 'origin', 'HEAD:main'], { cwd: other });
        }
        return real.run(cwd, args, context, signal);
      },
    };
    try {
      const before = repo.head();
      const outcome = await run([
        { uses: 'kustomize-set-image', config: { path: 'overlays/prod', images: [{ image: 'registry.test/shop', tag: '9.9.9' }] } },
        { uses: 'git-push', config: { maxAttempts: 2 } },
      ], racing);
      expect(outcome.failure).toBe('git-push: overlays/prod/kustomization.yaml: push to main was rejected 2 times (the branch keeps moving); nothing was force-pushed');
      expect(competing).toBe(2);
      expect(repo.head()).not.toBe(before);
      expect(show('overlays/prod/kustomization.yaml')).not.toContain('9.9.9');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  it('branch-promote fast-forwards an environment branch, refuses a diverged one unless strategy is merge', async () => {
    const main = repo.head();
    const stagingBase = execFileSync('git', ['--git-dir', repo.gitDir, 'rev-parse', 'main~1'], { encoding: 'utf8' }).trim();
    execFileSync('git', ['--git-dir', repo.gitDir, 'branch', 'env/prod', stagingBase]);
    const fastForward = await run([{ uses: 'branch-promote', config: { repoURL: repo.url, sourceBranch: 'main', targetBranch: 'env/prod' } }]);
    expect(fastForward.failure).toBeUndefined();
    expect(repo.head('env/prod')).toBe(main);
    // env/prod gets a commit of its own: diverged.
    // Commits from a fresh clone (the harness's own checkout does not know the promoter's pushes).
    const commitVia = (branch: string, file: string, text: string) => {
      const dir = mkdtempSync(join(tmpdir(), 'tidewater-writer-'));
      try {
        execFileSync('git', ['clone', '--quiet', '--branch', branch, repo.url, dir]);
        writeFileSync(join(dir, file), text);
        execFileSync('git', ['add', '.'], { cwd: dir });
        execFileSync('git', ['-c', 'user.name=Olga', '-c', 'user.email=o@x', 'commit', '--quiet', '-m', `${file} on ${branch}`], { cwd: dir });
        execFileSync('git', ['push', '--quiet', 'origin', `HEAD:${branch}`], { cwd: dir });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    };
    commitVia('env/prod', 'prod-only.txt', 'hotfix\n');
    commitVia('main', 'main-only.txt', 'next\n');
    const refused = await run([{ uses: 'branch-promote', config: { repoURL: repo.url, sourceBranch: 'main', targetBranch: 'env/prod' } }]);
    expect(refused.failure).toContain('env/prod has commits that main lacks: not a fast-forward (set strategy: merge)');
    const merged = await run([{ uses: 'branch-promote', config: { repoURL: repo.url, sourceBranch: 'main', targetBranch: 'env/prod', strategy: 'merge' } }]);
    expect(merged.failure).toBeUndefined();
    expect(show('main-only.txt', 'env/prod')).toBe('next\n');
    expect(show('prod-only.txt', 'env/prod')).toBe('hotfix\n');
    expect(execFileSync('git', ['--git-dir', repo.gitDir, 'log', '-1', '--format=%P', 'env/prod'], { encoding: 'utf8' }).trim().split(' ')).toHaveLength(2);
  });

  it('git-clone create: true makes a missing branch as an empty orphan holding only the promotion\'s files', async () => {
    const outcome = await run([
      { uses: 'git-clone', config: { repoURL: repo.url, checkout: [{ branch: 'main', path: './src' }, { branch: 'stage/prod', create: true, path: './out' }] } },
      { uses: 'kustomize-set-image', config: { path: './out/prod', images: [{ image: 'registry.test/shop' }] } },
      { uses: 'git-commit', config: { path: './out', message: 'render ${{ freight.alias }}' } },
      { uses: 'git-push', config: { path: './out' } },
    ]);
    expect(outcome.failure).toBeUndefined();
    expect(outcome.steps[0].output).toMatchObject({ created: ['./out'] });
    const head = repo.head('stage/prod');
    expect(outcome.revisions).toEqual([{ repoURL: repo.url, branch: 'stage/prod', revision: head }]);
    // A root commit (no parent) whose tree is only the edited file.
    expect(execFileSync('git', ['--git-dir', repo.gitDir, 'log', '-1', '--format=%P|%s', 'stage/prod'], { encoding: 'utf8' }).trim()).toBe(`|render ${freight.alias}`);
    expect(execFileSync('git', ['--git-dir', repo.gitDir, 'ls-tree', '-r', '--name-only', 'stage/prod'], { encoding: 'utf8' }).trim()).toBe('prod/kustomization.yaml');
    expect(show('prod/kustomization.yaml', 'stage/prod')).toContain('newTag: 2.1.0');

    // The branch exists now: the next promotion builds on it (no second root commit, nothing reported created).
    const next = await runPromotionSteps(deps(), { pipeline, stage: pipeline.spec.stages[0], freight: { ...freight, images: [{ repoURL: 'registry.test/shop', tag: '2.2.0' }] }, actor: 'erin', promotionId: 'p2' }, [
      { uses: 'git-clone', config: { repoURL: repo.url, checkout: [{ branch: 'stage/prod', create: true, path: './out' }] } },
      { uses: 'kustomize-set-image', config: { path: './out/prod', images: [{ image: 'registry.test/shop' }] } },
    ], async () => {});
    expect(next.failure).toBeUndefined();
    expect(next.steps[0].output).not.toHaveProperty('created');
    expect(execFileSync('git', ['--git-dir', repo.gitDir, 'log', '-1', '--format=%P', 'stage/prod'], { encoding: 'utf8' }).trim()).toBe(head);
  });

  it('git-clone checks out a tag or commit read-only: resolved and recorded, edits under it refused, a missing tag named', async () => {
    const tagged = repo.head();
    execFileSync('git', ['--git-dir', repo.gitDir, 'tag', '-a', '-m', 'release', 'v2.0.0', tagged]);
    const outcome = await run([
      { uses: 'git-clone', config: { repoURL: repo.url, checkout: [{ tag: 'v2.0.0', path: './release' }, { commit: tagged, path: './pinned' }] } },
      { uses: 'kustomize-set-image', config: { path: './release/overlays/prod', images: [{ image: 'registry.test/shop' }] } },
    ]);
    expect(outcome.steps[0]).toMatchObject({ state: 'succeeded', output: { commits: { './release': tagged, './pinned': tagged } } });
    expect(outcome.failure).toBe(`kustomize-set-image: stage prod: ./release/overlays/prod is under checkout release, which is tag v2.0.0 (${tagged.slice(0, 12)}) (read-only): edit files under a branch checkout`);
    const missing = await run([{ uses: 'git-clone', config: { repoURL: repo.url, checkout: [{ tag: 'v9.9.9', path: './release' }] } }]);
    expect(missing.failure).toBe(`git-clone: stage prod steps[0] (git-clone): checkout ./release: tag v9.9.9 does not exist in ${repo.url}`);
  });

  it('git-open-pr borrowing an image policy\'s forge refuses a provider the step names that differs from it', async () => {
    const saved = config;
    const built = buildConfig([{ file: 'shop.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: shop-prod}
spec:
  project: default
  source: {repoURL: '${repo.url}', path: overlays/prod, targetRevision: main}
  destination: {server: 'https://kubernetes.default.svc', namespace: shop}
---
apiVersion: tidewater.dev/v1alpha1
kind: ImagePolicy
metadata: {name: shop-prod}
spec:
  application: shop-prod
  image: registry.test/shop
  writeBack:
    target: kustomization
    pullRequest: {provider: gitea, apiURL: 'https://gitea.invalid/api/v1', tokenRef: {env: TIDEWATER_SECRET_SHOP_PR}}
` }]);
    expect(built.errors).toEqual([]);
    config = built.config;
    try {
      const outcome = await run([{ uses: 'git-open-pr', config: { repoURL: repo.url, sourceBranch: 'promote/prod', provider: 'github' } }]);
      expect(outcome.failure).toBe(`git-open-pr: stage prod steps[0] (git-open-pr): provider github differs from the gitea pull-request settings of ${repo.url} (image policy tidewater:shop-prod): set apiURL and tokenRef in the step`);
    } finally {
      config = saved;
    }
  });
});
