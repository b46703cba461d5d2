import type { Redis } from 'ioredis';
import { Document, parseDocument } from 'yaml';
import { z } from 'zod';
import type { ImagePullRequestSettings, Pipeline, PipelineStage, PromotionStep, TidewaterConfig } from '@tidewater/config';
import type { Producers, PromotionStepState, StoredFreight } from '@tidewater/queues';
import { ImageUpdateError } from '../../errors/promoter-errors.ts';
import type { PromoterGit } from '../../git/promoter-git.ts';
import { withRepoLock } from '../../git/repo-lock.ts';
import { checkoutBranch, cloneDirOf } from '../../git/working-copy.ts';
import { ensurePullRequest, repositoryPathOf } from '../../pull-requests/ensure-pull-request.ts';
import { setKustomizationImage } from '../../write-back/kustomization-images.ts';
import { writeBack } from '../../write-back/write-back.ts';
import { branchOf } from './default-steps.ts';

export interface StepRunDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  git: PromoterGit;
  cacheDir: string;
  author: { name: string; email: string };
  producers: Pick<Producers, 'requestRender'>;
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface StepRunInput {
  pipeline: Pipeline;
  stage: PipelineStage;
  freight: StoredFreight;
  actor: string;
  promotionId: string;
}

export interface PushedRevision {
  repoURL: string;
  branch: string;
  revision: string;
}

export interface StepsOutcome {
  steps: PromotionStepState[];
  revisions: PushedRevision[];
  /** The first failing step's error (the promotion failed). */
  failure?: string;
}

interface FileChange {
  file: string;
  apply: (text: string | undefined) => string;
}

interface WorkSet {
  repoURL: string;
  branch: string;
  changes: FileChange[];
  message?: string;
}

const ImageSetting = z.object({ image: z.string().min(1), name: z.string().optional(), tag: z.string().optional(), digest: z.string().optional(), useDigest: z.boolean().optional() });
const KustomizeSetImageConfig = z.object({
  repoURL: z.string().optional(), branch: z.string().optional(), app: z.string().optional(), path: z.string(), images: z.array(ImageSetting).optional(),
});
const YamlUpdateConfig = z.object({
  repoURL: z.string().optional(), branch: z.string().optional(), app: z.string().optional(), path: z.string().min(1), image: z.string().optional(),
  updates: z.array(z.object({ key: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean()]) })).min(1),
});
const GitCommitConfig = z.object({ message: z.string().optional() });
const ArgocdUpdateConfig = z.object({ apps: z.array(z.string()).optional() });
const BranchPromoteConfig = z.object({ repoURL: z.string().optional(), from: z.string().min(1), to: z.string().min(1), mode: z.enum(['fast-forward', 'merge']).default('fast-forward') });
const OpenPrConfig = z.object({
  repoURL: z.string().optional(), provider: z.enum(['github', 'gitlab', 'gitea']), apiUrl: z.string().url(),
  tokenRef: z.object({ env: z.string().optional(), file: z.string().optional() }), repository: z.string().optional(),
  sourceBranch: z.string().min(1), targetBranch: z.string().min(1), title: z.string().optional(),
});

/** `{{ image.tag }}`, `{{ image.digest }}`, `{{ image.repoURL }}`, `{{ freight.id }}`, `{{ freight.alias }}`, `{{ commit.id }}`. */
export function renderTemplate(value: string, freight: StoredFreight, image?: string): string {
  const selected = (image ? freight.images.find((candidate) => candidate.repoURL === image) : undefined) ?? freight.images[0];
  const values: Record<string, string | undefined> = {
    'image.tag': selected?.tag, 'image.digest': selected?.digest, 'image.repoURL': selected?.repoURL,
    'freight.id': freight.id, 'freight.alias': freight.alias, 'commit.id': freight.commits[0]?.id,
  };
  return value.replace(/\{\{\s*([a-zA-Z.]+)\s*\}\}/g, (match, name: string) => {
    const resolved = values[name];
    if (resolved === undefined) throw new ImageUpdateError(`template ${match}: the freight has no ${name}`);
    return resolved;
  });
}

function parseConfig<T extends z.ZodType>(schema: T, step: PromotionStep, index: number, stage: string): z.infer<T> {
  const parsed = schema.safeParse(step.config ?? {});
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new ImageUpdateError(`stage ${stage} steps[${index}] (${step.uses}): config.${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

function defaultCommitMessage(input: StepRunInput): string {
  const artifacts = [
    ...input.freight.images.map((image) => `${image.repoURL}:${image.tag}${image.digest ? `@${image.digest}` : ''}`),
    ...input.freight.commits.map((commit) => `${commit.repoURL}@${commit.id.slice(0, 12)}`),
    ...input.freight.charts.map((chart) => `${chart.name} ${chart.version}`),
  ];
  return `promote(${input.pipeline.name}/${input.stage.name}): ${input.freight.alias}\n\nfreight ${input.freight.id}\n${artifacts.join('\n')}\npromoted by ${input.actor} (promotion ${input.promotionId})\n`;
}

/**
 * Runs a promotion's steps in order against the promoter's clones: edits gather per repository and branch, `git-push`
 * writes them (serialised per repository+branch, rebase-retry, never force). Each step's output is recorded; the
 * first failing step ends the promotion.
 */
export async function runPromotionSteps(deps: StepRunDeps, input: StepRunInput, steps: readonly PromotionStep[], onProgress: (steps: PromotionStepState[]) => Promise<void>): Promise<StepsOutcome> {
  const states: PromotionStepState[] = steps.map((step) => ({ uses: step.uses, ...(step.as ? { as: step.as } : {}), state: 'pending' }));
  const revisions: PushedRevision[] = [];
  const workSets = new Map<string, WorkSet>();
  const config = deps.config();
  const firstApp = config.applications.find((candidate) => candidate.metadata.name === input.stage.applications[0]);
  const defaultRepo = firstApp?.spec.source?.repoURL;
  const defaultBranch = firstApp ? branchOf(firstApp) : 'main';
  const workSet = (repoURL: string | undefined, branch: string | undefined, app: string | undefined): WorkSet => {
    const application = app ? config.applications.find((candidate) => candidate.metadata.name === app) : undefined;
    const repo = repoURL ?? application?.spec.source?.repoURL ?? defaultRepo;
    if (!repo) throw new ImageUpdateError(`stage ${input.stage.name}: no repository to write (set config.repoURL)`);
    const targetBranch = branch ?? (application ? branchOf(application) : defaultBranch);
    const key = `${repo}#${targetBranch}`;
    let set = workSets.get(key);
    if (!set) {
      set = { repoURL: repo, branch: targetBranch, changes: [] };
      workSets.set(key, set);
    }
    return set;
  };
  const context = (operation: string, repo: string) => ({ operation, repo });
  const headOf = async (repoURL: string, branch: string) => deps.git.run(cloneDirOf(deps.cacheDir, repoURL), ['rev-parse', `refs/remotes/origin/${branch}`], context('rev-parse', repoURL), deps.signal);
  const recordRevision = (entry: PushedRevision) => {
    const index = revisions.findIndex((existing) => existing.repoURL === entry.repoURL && existing.branch === entry.branch);
    if (index >= 0) revisions[index] = entry;
    else revisions.push(entry);
  };

  const push = async (): Promise<Record<string, unknown>> => {
    const pushed: Array<Record<string, unknown>> = [];
    for (const set of workSets.values()) {
      if (set.changes.length === 0) continue;
      const changes = set.changes;
      const files = [...new Set(changes.map((change) => change.file))];
      const result = await writeBack({ redis: deps.redis, git: deps.git, cacheDir: deps.cacheDir, ...(deps.signal ? { signal: deps.signal } : {}) }, {
        repoUrl: set.repoURL, branch: set.branch, file: files.join(', '), author: deps.author,
        // Re-applied on the new head after a rejected push (the rebase of these edits).
        edit: (_current, copy) => {
          const texts = new Map<string, string | undefined>();
          for (const change of changes) texts.set(change.file, change.apply(texts.has(change.file) ? texts.get(change.file) : copy.read(change.file)));
          return { kind: 'write-files', files: Object.fromEntries([...texts].map(([file, text]) => [file, text ?? ''])), message: set.message ?? defaultCommitMessage(input) };
        },
      });
      const revision = result.kind === 'committed' ? result.commit : await headOf(set.repoURL, set.branch);
      recordRevision({ repoURL: set.repoURL, branch: set.branch, revision });
      pushed.push({ repoURL: set.repoURL, branch: set.branch, files, ...(result.kind === 'committed' ? { commit: result.commit, attempts: result.attempts } : { unchanged: result.reason, revision }) });
      set.changes = [];
    }
    return { pushed };
  };

  const runStep = async (step: PromotionStep, index: number): Promise<Record<string, unknown>> => {
    const stage = input.stage.name;
    switch (step.uses) {
      case 'git-clone':
        return { note: 'the promoter clones each repository it writes into its private cache at git-push' };
      case 'kustomize-set-image': {
        const settings = parseConfig(KustomizeSetImageConfig, step, index, stage);
        const set = workSet(settings.repoURL, settings.branch, settings.app);
        const file = `${settings.path.replace(/\/+$/, '').replace(/\/kustomization\.ya?ml$/, '')}/kustomization.yaml`.replace(/^\.?\//, '');
        const images: Array<z.infer<typeof ImageSetting>> = settings.images ?? input.freight.images.map((image) => ({ image: image.repoURL }));
        const applied: string[] = [];
        for (const setting of images) {
          const fromFreight = input.freight.images.find((image) => image.repoURL === setting.image);
          const tag = setting.tag ? renderTemplate(setting.tag, input.freight, setting.image) : fromFreight?.tag;
          if (!tag) throw new ImageUpdateError(`stage ${stage} steps[${index}] (kustomize-set-image): the freight has no image ${setting.image}`);
          const digest = setting.digest ?? fromFreight?.digest;
          const change = { image: setting.image, manifestName: setting.name ?? setting.image, newTag: tag, ...(digest ? { newDigest: digest } : {}), pinDigest: setting.useDigest ?? false };
          set.changes.push({ file, apply: (text) => setKustomizationImage(text ?? 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n', change, file) });
          applied.push(`${change.manifestName}=${setting.image}:${tag}`);
        }
        return { repoURL: set.repoURL, branch: set.branch, file, images: applied };
      }
      case 'yaml-update': {
        const settings = parseConfig(YamlUpdateConfig, step, index, stage);
        const set = workSet(settings.repoURL, settings.branch, settings.app);
        const updates = settings.updates.map((update) => ({ key: update.key, value: typeof update.value === 'string' ? renderTemplate(update.value, input.freight, settings.image) : update.value }));
        set.changes.push({
          file: settings.path,
          apply: (text) => {
            const document = text === undefined || text.trim() === '' ? new Document({}) : parseDocument(text);
            if (document.errors.length > 0) throw new ImageUpdateError(`${settings.path} is not YAML: cannot update it`);
            for (const update of updates) document.setIn(update.key.split('.'), update.value);
            return document.toString();
          },
        });
        return { repoURL: set.repoURL, branch: set.branch, file: settings.path, updates: Object.fromEntries(updates.map((update) => [update.key, update.value])) };
      }
      case 'git-commit': {
        const settings = parseConfig(GitCommitConfig, step, index, stage);
        const message = settings.message ? renderTemplate(settings.message, input.freight) : defaultCommitMessage(input);
        for (const set of workSets.values()) set.message = message;
        return { message: message.split('\n')[0] };
      }
      case 'git-push':
        return push();
      case 'argocd-update': {
        const settings = parseConfig(ArgocdUpdateConfig, step, index, stage);
        const updated: Record<string, string> = {};
        for (const name of settings.apps ?? input.stage.applications) {
          const application = config.applications.find((candidate) => candidate.metadata.name === name);
          const source = application?.spec.source;
          if (!application || !source) throw new ImageUpdateError(`stage ${stage} steps[${index}] (argocd-update): Application ${name} is not configured with a single source`);
          const branch = branchOf(application);
          const revision = revisions.find((entry) => entry.repoURL === source.repoURL && entry.branch === branch)?.revision;
          if (!revision) continue;
          // Render and sync of the promoted commit now, whether or not a webhook reports the push (one job per app and commit).
          await deps.producers.requestRender({
            app: name, repoURL: source.repoURL, revision, targetRevision: source.targetRevision ?? 'HEAD',
            trigger: { kind: 'manual', actor: input.actor, receivedAt: new Date().toISOString() }, trace: {},
          });
          updated[name] = revision;
        }
        return { applications: updated };
      }
      case 'branch-promote': {
        const settings = parseConfig(BranchPromoteConfig, step, index, stage);
        const repoURL = settings.repoURL ?? defaultRepo;
        if (!repoURL) throw new ImageUpdateError(`stage ${stage} steps[${index}] (branch-promote): config.repoURL is required`);
        const revision = await withRepoLock(deps.redis, repoURL, settings.to, async () => {
          const dir = cloneDirOf(deps.cacheDir, repoURL);
          // A clone of the target branch, then the source branch fetched beside it.
          await checkoutBranch({ git: deps.git, cacheDir: deps.cacheDir, repoUrl: repoURL, branch: settings.to, ...(deps.signal ? { signal: deps.signal } : {}) });
          await deps.git.run(dir, ['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${settings.from}:refs/remotes/origin/${settings.from}`], context('fetch', repoURL), deps.signal);
          let fastForward = true;
          try {
            await deps.git.run(dir, ['merge-base', '--is-ancestor', `refs/remotes/origin/${settings.to}`, `refs/remotes/origin/${settings.from}`], context('merge-base', repoURL), deps.signal);
          } catch {
            fastForward = false;
          }
          if (fastForward) {
            await deps.git.run(dir, ['push', '--quiet', 'origin', `refs/remotes/origin/${settings.from}:refs/heads/${settings.to}`], context('push', repoURL), deps.signal);
            return deps.git.run(dir, ['rev-parse', `refs/remotes/origin/${settings.from}`], context('rev-parse', repoURL), deps.signal);
          }
          if (settings.mode !== 'merge') throw new ImageUpdateError(`branch-promote: ${settings.to} has commits that ${settings.from} lacks: not a fast-forward (set mode: merge)`);
          await deps.git.run(dir, ['-c', `user.name=${deps.author.name}`, '-c', `user.email=${deps.author.email}`, 'merge', '--no-ff', '--quiet', '-m', `promote ${settings.from} into ${settings.to}: ${input.freight.alias}`, `refs/remotes/origin/${settings.from}`], context('merge', repoURL), deps.signal);
          await deps.git.run(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${settings.to}`], context('push', repoURL), deps.signal);
          return deps.git.run(dir, ['rev-parse', 'HEAD'], context('rev-parse', repoURL), deps.signal);
        });
        recordRevision({ repoURL, branch: settings.to, revision });
        return { repoURL, from: settings.from, to: settings.to, revision };
      }
      case 'git-open-pr': {
        const settings = parseConfig(OpenPrConfig, step, index, stage);
        const repoURL = settings.repoURL ?? defaultRepo ?? '';
        const pullRequestSettings = { provider: settings.provider, apiUrl: settings.apiUrl, tokenRef: settings.tokenRef, ...(settings.repository ? { repository: settings.repository } : {}) } as ImagePullRequestSettings;
        const outcome = await ensurePullRequest({ ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}), ...(deps.signal ? { signal: deps.signal } : {}) }, pullRequestSettings, {
          repository: settings.repository ?? repositoryPathOf(repoURL), head: settings.sourceBranch, base: settings.targetBranch,
          title: settings.title ? renderTemplate(settings.title, input.freight) : `Promote ${input.freight.alias} to ${stage}`,
          body: defaultCommitMessage(input),
        });
        return { url: outcome.url, number: outcome.number, action: outcome.action };
      }
      case 'git-wait-for-pr':
        throw new ImageUpdateError(`stage ${stage} steps[${index}]: git-wait-for-pr is not supported yet; merge the pull request, then promote the freight again`);
    }
  };

  for (const [index, step] of steps.entries()) {
    states[index] = { ...states[index], state: 'running' };
    await onProgress(states);
    try {
      const output = await runStep(step, index);
      states[index] = { ...states[index], state: 'succeeded', output };
    } catch (error) {
      const message = (error as Error).message;
      states[index] = { ...states[index], state: 'failed', error: message };
      for (let later = index + 1; later < states.length; later++) states[later] = { ...states[later], state: 'skipped' };
      await onProgress(states);
      return { steps: states, revisions, failure: `${step.uses}: ${message}` };
    }
    await onProgress(states);
  }
  // Edits that no git-push step wrote are pushed at the end (a stage's steps need not spell git-push out).
  if ([...workSets.values()].some((set) => set.changes.length > 0)) {
    const index = states.push({ uses: 'git-push', state: 'running' }) - 1;
    try {
      states[index] = { ...states[index], state: 'succeeded', output: { ...(await push()), implicit: true } };
    } catch (error) {
      states[index] = { ...states[index], state: 'failed', error: (error as Error).message };
      await onProgress(states);
      return { steps: states, revisions, failure: `git-push: ${(error as Error).message}` };
    }
    await onProgress(states);
  }
  return { steps: states, revisions };
}
