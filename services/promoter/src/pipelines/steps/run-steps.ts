import { mkdirSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { Document, parseDocument } from 'yaml';
import { z } from 'zod';
import { imagePoliciesOf, SecretRef, type ImagePullRequestSettings, type Pipeline, type PipelineStage, type PromotionStep, type TidewaterConfig } from '@tidewater/config';
import type { Producers, PromotionStepState, StoredFreight } from '@tidewater/queues';
import { ImageUpdateError } from '../../errors/promoter-errors.ts';
import type { PromoterGit } from '../../git/promoter-git.ts';
import { withRepoLock } from '../../git/repo-lock.ts';
import { checkoutBranch, cloneDirOf } from '../../git/working-copy.ts';
import { ensurePullRequest, repositoryPathOf } from '../../pull-requests/ensure-pull-request.ts';
import { readPullRequestState } from '../../pull-requests/pull-request-state.ts';
import { durationMs } from '../duration.ts';
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
  /** git-clone `create: true`: a branch missing on the remote starts as an empty orphan when pushed. */
  create?: boolean;
}

/** A git-clone checkout path: a branch (written by later steps), or a tag / commit (read-only). */
interface Checkout {
  repoURL: string;
  branch: string;
  create?: boolean;
  /** `tag v1.2.0 (<commit>)` / `commit <id>`: edits under it are refused. */
  readOnly?: string;
}

// Step configs as shared/config's step-config.ts checks them at load (Kargo's field names), read leniently here: the
// default steps add `repoURL` / `branch` / `name` where a written step names a checkout path instead.
const ImageSetting = z.object({ image: z.string().min(1), tag: z.string().optional(), digest: z.string().optional(), newName: z.string().optional(), name: z.string().optional(), useDigest: z.boolean().optional() });
const GitCloneConfig = z.object({ repoURL: z.string().min(1), checkout: z.array(z.object({ branch: z.string().optional(), commit: z.string().optional(), tag: z.string().optional(), create: z.boolean().optional(), path: z.string().min(1) })).min(1) });
const KustomizeSetImageConfig = z.object({ repoURL: z.string().optional(), branch: z.string().optional(), path: z.string(), images: z.array(ImageSetting).optional() });
const YamlUpdateConfig = z.object({
  repoURL: z.string().optional(), branch: z.string().optional(), path: z.string().min(1),
  updates: z.array(z.object({ key: z.string().min(1), value: z.union([z.string(), z.number(), z.boolean()]) })).min(1),
});
const GitCommitConfig = z.object({ path: z.string().optional(), message: z.string().optional() });
const GitPushConfig = z.object({ path: z.string().optional(), targetBranch: z.string().optional(), maxAttempts: z.number().int().min(1).optional() });
const ArgocdUpdateConfig = z.object({ apps: z.array(z.union([z.string(), z.object({ name: z.string().min(1) })])).optional() });
const BranchPromoteConfig = z.object({ repoURL: z.string().optional(), sourceBranch: z.string().optional(), targetBranch: z.string().min(1), strategy: z.enum(['fast-forward', 'merge']).default('fast-forward') });
const ForgeFields = {
  provider: z.enum(['github', 'gitlab', 'gitea']).optional(), apiURL: z.string().optional(), apiUrl: z.string().optional(),
  tokenRef: SecretRef.optional(), repository: z.string().optional(),
};
const OpenPrConfig = z.object({ repoURL: z.string().min(1), sourceBranch: z.string().min(1), targetBranch: z.string().optional(), title: z.string().optional(), ...ForgeFields });
const WaitForPrConfig = z.object({ repoURL: z.string().min(1), prNumber: z.union([z.number().int(), z.string().min(1)]), pollInterval: z.string().optional(), timeout: z.string().optional(), ...ForgeFields });
/** git-wait-for-pr waits inside the pipeline's evaluation, whose lock lives 5 minutes: never longer than this. */
const maxPullRequestWaitMs = 270_000;

/** What `${{ ... }}` templates in step configs may read. */
export interface TemplateScope {
  freight: StoredFreight;
  pipeline: string;
  stage: string;
  promotion: string;
  actor: string;
  /** Outputs of earlier steps, by their `as`. */
  outputs: Record<string, Record<string, unknown>>;
}

/**
 * Kargo-style templates: `${{ ctx.stage }}`, `${{ ctx.pipeline }}`, `${{ ctx.promotion }}`, `${{ freight.alias }}`,
 * `${{ freight.id }}`, `${{ imageFrom("<repoURL>").Tag }}` (`.Digest`, `.RepoURL`), `${{ commitFrom("<repoURL>").ID }}`
 * (`.Message`), `${{ outputs.<as>.<field> }}`. Anything else fails the step naming the template (no `eval`).
 */
export function renderTemplate(value: string, scope: TemplateScope): string {
  return value.replace(/\$\{\{\s*(.+?)\s*\}\}/g, (match, expression: string) => {
    const resolved = resolveTemplate(expression, scope);
    if (resolved === undefined) throw new ImageUpdateError(`template ${match}: cannot be resolved for freight ${scope.freight.alias}`);
    return resolved;
  });
}

function resolveTemplate(expression: string, scope: TemplateScope): string | undefined {
  const context: Record<string, string> = {
    'ctx.stage': scope.stage, 'ctx.pipeline': scope.pipeline, 'ctx.project': scope.pipeline, 'ctx.promotion': scope.promotion, 'ctx.actor': scope.actor,
    'freight.alias': scope.freight.alias, 'freight.id': scope.freight.id, 'freight.name': scope.freight.id,
  };
  if (expression in context) return context[expression];
  const image = /^imageFrom\(\s*["']([^"']+)["']\s*\)\.(Tag|Digest|RepoURL)$/.exec(expression);
  if (image) {
    const found = scope.freight.images.find((candidate) => candidate.repoURL === image[1]);
    return found ? (image[2] === 'Tag' ? found.tag : image[2] === 'Digest' ? found.digest : found.repoURL) : undefined;
  }
  const commit = /^commitFrom\(\s*["']([^"']+)["']\s*\)\.(ID|Message)$/.exec(expression);
  if (commit) {
    const found = scope.freight.commits.find((candidate) => candidate.repoURL === commit[1]);
    return found ? (commit[2] === 'ID' ? found.id : found.message) : undefined;
  }
  // `outputs.<as>.<field>[.<field>…]` or `outputs['<as>'].<field>…` (Kargo's forms).
  const output = /^outputs(?:\.([\w-]+)|\[\s*'([^']+)'\s*\])((?:\.[\w-]+)+)$/.exec(expression);
  if (output) {
    let found: unknown = scope.outputs[output[1] ?? output[2]];
    for (const key of output[3].slice(1).split('.')) found = found !== null && typeof found === 'object' ? (found as Record<string, unknown>)[key] : undefined;
    return found === undefined || found === null || typeof found === 'object' ? undefined : String(found);
  }
  return undefined;
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
 * Runs a promotion's steps in order against the promoter's clones: `git-clone` names checkout paths (repository +
 * branch), edits under a path gather per repository and branch, `git-push` writes them (serialised per
 * repository+branch, rebase-retry, never force). Each step's output is recorded; the first failing step ends the promotion.
 */
export async function runPromotionSteps(deps: StepRunDeps, input: StepRunInput, steps: readonly PromotionStep[], onProgress: (steps: PromotionStepState[]) => Promise<void>): Promise<StepsOutcome> {
  const states: PromotionStepState[] = steps.map((step) => ({ uses: step.uses, ...(step.as ? { as: step.as } : {}), state: 'pending' }));
  const revisions: PushedRevision[] = [];
  const workSets = new Map<string, WorkSet>();
  const checkouts = new Map<string, Checkout>();
  const config = deps.config();
  const stage = input.stage.name;
  const firstApp = config.applications.find((candidate) => candidate.metadata.name === input.stage.applications[0]);
  const defaultRepo = firstApp?.spec.source?.repoURL;
  const defaultBranch = firstApp ? branchOf(firstApp) : 'main';
  const scope: TemplateScope = { freight: input.freight, pipeline: input.pipeline.name, stage, promotion: input.promotionId, actor: input.actor, outputs: {} };
  const render = (value: string) => renderTemplate(value, scope);
  const clean = (path: string) => path.replace(/^\.\//, '').replace(/\/+$/, '');

  const workSetOf = (repoURL: string, branch: string): WorkSet => {
    const key = `${repoURL}#${branch}`;
    let set = workSets.get(key);
    if (!set) {
      set = { repoURL, branch, changes: [] };
      workSets.set(key, set);
    }
    return set;
  };
  /** A step's path: under a git-clone checkout (`./out/apps/x` → that checkout's repository, `apps/x`), else repository-relative. */
  const locate = (path: string, repoURL?: string, branch?: string): { set: WorkSet; file: string } => {
    const wanted = clean(render(path));
    if (repoURL) return { set: workSetOf(render(repoURL), branch ? render(branch) : defaultBranch), file: wanted };
    let best: (Checkout & { checkout: string }) | undefined;
    for (const [checkout, target] of checkouts) {
      if ((wanted === checkout || wanted.startsWith(`${checkout}/`)) && (!best || checkout.length > best.checkout.length)) best = { checkout, ...target };
    }
    if (best?.readOnly) throw new ImageUpdateError(`stage ${stage}: ${path} is under checkout ${best.checkout}, which is ${best.readOnly} (read-only): edit files under a branch checkout`);
    if (best) {
      const set = workSetOf(best.repoURL, best.branch);
      if (best.create) set.create = true;
      return { set, file: clean(wanted.slice(best.checkout.length).replace(/^\//, '')) };
    }
    if (!defaultRepo) throw new ImageUpdateError(`stage ${stage}: ${path} is under no git-clone checkout and the stage's Applications name no repository`);
    return { set: workSetOf(defaultRepo, defaultBranch), file: wanted };
  };
  const setsUnder = (path: string | undefined): WorkSet[] => {
    if (path === undefined) return [...workSets.values()];
    const checkout = checkouts.get(clean(render(path)));
    if (checkout?.readOnly) return [];
    return checkout ? [workSetOf(checkout.repoURL, checkout.branch)] : [...workSets.values()];
  };
  const context = (operation: string, repo: string) => ({ operation, repo });
  const headOf = async (repoURL: string, branch: string) => deps.git.run(cloneDirOf(deps.cacheDir, repoURL), ['rev-parse', `refs/remotes/origin/${branch}`], context('rev-parse', repoURL), deps.signal);
  /** `git ls-remote` of some refs of a repository → ref name → commit. */
  const remoteRefs = async (repoURL: string, refs: string[]): Promise<Map<string, string>> => {
    mkdirSync(deps.cacheDir, { recursive: true });
    const listed = await deps.git.run(deps.cacheDir, ['ls-remote', '--', repoURL, ...refs], context('ls-remote', repoURL), deps.signal);
    return new Map(listed.split('\n').flatMap((line) => {
      const [commit, ref] = line.trim().split(/\s+/);
      return commit && ref ? [[ref, commit] as const] : [];
    }));
  };
  const recordRevision = (entry: PushedRevision) => {
    const index = revisions.findIndex((existing) => existing.repoURL === entry.repoURL && existing.branch === entry.branch);
    if (index >= 0) revisions[index] = entry;
    else revisions.push(entry);
  };

  const push = async (sets: WorkSet[], options: { targetBranch?: string; attempts?: number } = {}): Promise<Record<string, unknown>> => {
    const pushed: Array<Record<string, unknown>> = [];
    for (const set of sets) {
      if (set.changes.length === 0) continue;
      const changes = set.changes;
      const files = [...new Set(changes.map((change) => change.file))];
      const branch = options.targetBranch ?? set.branch;
      const result = await writeBack({ redis: deps.redis, git: deps.git, cacheDir: deps.cacheDir, ...(options.attempts ? { attempts: options.attempts } : {}), ...(deps.signal ? { signal: deps.signal } : {}) }, {
        repoUrl: set.repoURL, branch, ...(branch !== set.branch ? { baseBranch: set.branch } : {}), ...(set.create && branch === set.branch ? { orphanWhenMissing: true } : {}),
        file: files.join(', '), author: deps.author,
        // Re-applied on the new head after a rejected push (the rebase of these edits).
        edit: (_current, copy) => {
          const texts = new Map<string, string | undefined>();
          for (const change of changes) texts.set(change.file, change.apply(texts.has(change.file) ? texts.get(change.file) : copy.read(change.file)));
          return { kind: 'write-files', files: Object.fromEntries([...texts].map(([file, text]) => [file, text ?? ''])), message: set.message ?? defaultCommitMessage(input) };
        },
      });
      const revision = result.kind === 'committed' ? result.commit : await headOf(set.repoURL, branch);
      recordRevision({ repoURL: set.repoURL, branch, revision });
      pushed.push({ repoURL: set.repoURL, branch, files, revision, ...(result.kind === 'committed' ? { commit: result.commit, attempts: result.attempts } : { unchanged: result.reason }) });
      set.changes = [];
    }
    const [first] = pushed;
    // Kargo's outputs: `commit` of the (first) push, for `${{ outputs.<as>.commit }}`.
    return { ...(first ? { commit: first.revision, branch: first.branch } : {}), pushed };
  };

  const runStep = async (step: PromotionStep, index: number): Promise<Record<string, unknown>> => {
    const where = `stage ${stage} steps[${index}] (${step.uses})`;
    switch (step.uses) {
      case 'git-clone': {
        const settings = parseConfig(GitCloneConfig, step, index, stage);
        const repoURL = render(settings.repoURL);
        const commits: Record<string, string> = {};
        const created: string[] = [];
        for (const checkout of settings.checkout) {
          const path = clean(render(checkout.path));
          const refs = [checkout.branch, checkout.commit, checkout.tag].filter((ref) => ref !== undefined);
          if (refs.length > 1) throw new ImageUpdateError(`${where}: checkout ${checkout.path} names more than one of branch, commit and tag`);
          if (checkout.commit !== undefined) {
            const commit = render(checkout.commit);
            if (!/^[0-9a-f]{7,64}$/i.test(commit)) throw new ImageUpdateError(`${where}: checkout ${checkout.path}: ${commit} is not a commit id`);
            checkouts.set(path, { repoURL, branch: '', readOnly: `commit ${commit}` });
            commits[checkout.path] = commit;
            continue;
          }
          if (checkout.tag !== undefined) {
            const tag = render(checkout.tag);
            const listed = await remoteRefs(repoURL, [`refs/tags/${tag}`, `refs/tags/${tag}^{}`]);
            // An annotated tag's peeled line (`^{}`) names its commit; a lightweight tag's own line does.
            const commit = listed.get(`refs/tags/${tag}^{}`) ?? listed.get(`refs/tags/${tag}`);
            if (!commit) throw new ImageUpdateError(`${where}: checkout ${checkout.path}: tag ${tag} does not exist in ${repoURL}`);
            checkouts.set(path, { repoURL, branch: '', readOnly: `tag ${tag} (${commit.slice(0, 12)})` });
            commits[checkout.path] = commit;
            continue;
          }
          const branch = checkout.branch ? render(checkout.branch) : defaultBranch;
          if (checkout.create) {
            const exists = (await remoteRefs(repoURL, [`refs/heads/${branch}`])).has(`refs/heads/${branch}`);
            if (!exists) created.push(checkout.path);
          }
          checkouts.set(path, { repoURL, branch, ...(checkout.create ? { create: true } : {}) });
        }
        return {
          repoURL: settings.repoURL, checkouts: settings.checkout.map((checkout) => checkout.path),
          ...(Object.keys(commits).length > 0 ? { commits } : {}), ...(created.length > 0 ? { created } : {}),
        };
      }
      case 'kustomize-set-image': {
        const settings = parseConfig(KustomizeSetImageConfig, step, index, stage);
        const { set, file: directory } = locate(settings.path, settings.repoURL, settings.branch);
        const file = (directory.endsWith('kustomization.yaml') || directory.endsWith('kustomization.yml') ? directory : `${directory ? `${directory}/` : ''}kustomization.yaml`);
        const images: Array<z.infer<typeof ImageSetting>> = settings.images ?? input.freight.images.map((image) => ({ image: image.repoURL }));
        const applied: string[] = [];
        for (const setting of images) {
          const fromFreight = input.freight.images.find((image) => image.repoURL === setting.image);
          const tag = setting.tag ? render(setting.tag) : fromFreight?.tag;
          if (!tag) throw new ImageUpdateError(`${where}: the freight has no image ${setting.image}`);
          const digest = setting.digest ? render(setting.digest) : fromFreight?.digest;
          // `kustomize edit set image <name>=<newName>:<tag>`: the entry named `name` (default the image) runs `newName` (default the image).
          const change = { image: setting.newName ?? setting.image, manifestName: setting.name ?? setting.image, newTag: tag, ...(digest ? { newDigest: digest } : {}), pinDigest: setting.useDigest ?? false };
          set.changes.push({ file, apply: (text) => setKustomizationImage(text ?? 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n', change, file) });
          applied.push(`${change.manifestName}=${change.image}:${tag}`);
        }
        // Kargo's output: a commit message describing the change, for `${{ outputs.<as>.commitMessage }}`.
        return { repoURL: set.repoURL, branch: set.branch, file, images: applied, commitMessage: `Updated ${file} to use new images\n\n${applied.map((image) => `- ${image}`).join('\n')}` };
      }
      case 'yaml-update': {
        const settings = parseConfig(YamlUpdateConfig, step, index, stage);
        const { set, file } = locate(settings.path, settings.repoURL, settings.branch);
        const updates = settings.updates.map((update) => ({ key: update.key, value: typeof update.value === 'string' ? render(update.value) : update.value }));
        set.changes.push({
          file,
          apply: (text) => {
            const document = text === undefined || text.trim() === '' ? new Document({}) : parseDocument(text);
            if (document.errors.length > 0) throw new ImageUpdateError(`${file} is not YAML: cannot update it`);
            for (const update of updates) document.setIn(update.key.split('.'), update.value);
            return document.toString();
          },
        });
        return {
          repoURL: set.repoURL, branch: set.branch, file, updates: Object.fromEntries(updates.map((update) => [update.key, update.value])),
          commitMessage: `Updated ${file}\n\n${updates.map((update) => `- ${update.key}: ${String(update.value)}`).join('\n')}`,
        };
      }
      case 'git-commit': {
        const settings = parseConfig(GitCommitConfig, step, index, stage);
        const message = settings.message ? render(settings.message) : defaultCommitMessage(input);
        for (const set of setsUnder(settings.path)) set.message = message;
        return { message: message.split('\n')[0] };
      }
      case 'git-push': {
        const settings = parseConfig(GitPushConfig, step, index, stage);
        return push(setsUnder(settings.path), { ...(settings.targetBranch ? { targetBranch: render(settings.targetBranch) } : {}), ...(settings.maxAttempts ? { attempts: settings.maxAttempts } : {}) });
      }
      case 'argocd-update': {
        const settings = parseConfig(ArgocdUpdateConfig, step, index, stage);
        const updated: Record<string, string> = {};
        const names = settings.apps?.map((app) => (typeof app === 'string' ? app : app.name)) ?? input.stage.applications;
        for (const name of names) {
          const application = config.applications.find((candidate) => candidate.metadata.name === name);
          const source = application?.spec.source;
          if (!application || !source) throw new ImageUpdateError(`${where}: Application ${name} is not configured with a single source`);
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
        const repoURL = settings.repoURL ? render(settings.repoURL) : defaultRepo;
        const from = settings.sourceBranch ? render(settings.sourceBranch) : input.freight.commits.find((commit) => commit.repoURL === repoURL)?.branch;
        const to = render(settings.targetBranch);
        if (!repoURL || !from) throw new ImageUpdateError(`${where}: needs repoURL and sourceBranch (or a freight commit of that repository)`);
        const revision = await withRepoLock(deps.redis, repoURL, to, async () => {
          const dir = cloneDirOf(deps.cacheDir, repoURL);
          await checkoutBranch({ git: deps.git, cacheDir: deps.cacheDir, repoUrl: repoURL, branch: to, ...(deps.signal ? { signal: deps.signal } : {}) });
          await deps.git.run(dir, ['fetch', '--quiet', '--no-tags', 'origin', `+refs/heads/${from}:refs/remotes/origin/${from}`], context('fetch', repoURL), deps.signal);
          const fastForward = await deps.git.run(dir, ['merge-base', '--is-ancestor', `refs/remotes/origin/${to}`, `refs/remotes/origin/${from}`], context('merge-base', repoURL), deps.signal).then(() => true, () => false);
          if (fastForward) {
            await deps.git.run(dir, ['push', '--quiet', 'origin', `refs/remotes/origin/${from}:refs/heads/${to}`], context('push', repoURL), deps.signal);
            return deps.git.run(dir, ['rev-parse', `refs/remotes/origin/${from}`], context('rev-parse', repoURL), deps.signal);
          }
          if (settings.strategy !== 'merge') throw new ImageUpdateError(`${where}: ${to} has commits that ${from} lacks: not a fast-forward (set strategy: merge); nothing was force-pushed`);
          await deps.git.run(dir, ['-c', `user.name=${deps.author.name}`, '-c', `user.email=${deps.author.email}`, 'merge', '--no-ff', '--quiet', '-m', `promote ${from} into ${to}: ${input.freight.alias}`, `refs/remotes/origin/${from}`], context('merge', repoURL), deps.signal);
          await deps.git.run(dir, ['push', '--quiet', 'origin', `HEAD:refs/heads/${to}`], context('push', repoURL), deps.signal);
          return deps.git.run(dir, ['rev-parse', 'HEAD'], context('rev-parse', repoURL), deps.signal);
        });
        recordRevision({ repoURL, branch: to, revision });
        return { repoURL, sourceBranch: from, targetBranch: to, commit: revision };
      }
      case 'git-open-pr': {
        const settings = parseConfig(OpenPrConfig, step, index, stage);
        const repoURL = render(settings.repoURL);
        const forge = forgeSettingsFor(settings, repoURL, where);
        const outcome = await ensurePullRequest({ ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}), ...(deps.signal ? { signal: deps.signal } : {}) }, forge, {
          repository: forge.repository ?? repositoryPathOf(repoURL), head: render(settings.sourceBranch), base: settings.targetBranch ? render(settings.targetBranch) : defaultBranch,
          title: settings.title ? render(settings.title) : `Promote ${input.freight.alias} to ${stage}`, body: defaultCommitMessage(input),
        });
        return { url: outcome.url, prNumber: outcome.number, action: outcome.action, pr: { id: outcome.number, url: outcome.url } };
      }
      case 'git-wait-for-pr': {
        const settings = parseConfig(WaitForPrConfig, step, index, stage);
        const repoURL = render(settings.repoURL);
        const forge = forgeSettingsFor(settings, repoURL, where);
        const rendered = typeof settings.prNumber === 'number' ? String(settings.prNumber) : render(settings.prNumber);
        const number = Number(rendered);
        if (!Number.isInteger(number) || number < 1) throw new ImageUpdateError(`${where}: prNumber ${rendered} is not a pull request number`);
        const repository = forge.repository ?? repositoryPathOf(repoURL);
        const pollMs = Math.max(100, settings.pollInterval ? durationMs(settings.pollInterval) : 5_000);
        const timeoutMs = Math.min(settings.timeout ? durationMs(settings.timeout) : 240_000, maxPullRequestWaitMs);
        const deadline = Date.now() + timeoutMs;
        const forgeDeps = { ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}), ...(deps.signal ? { signal: deps.signal } : {}) };
        for (;;) {
          const pull = await readPullRequestState(forgeDeps, forge, repository, number);
          if (pull.state === 'merged') {
            // The merge commit is the promotion's revision of the target branch (argocd-update, healthy-after-sync).
            const base = pull.base ?? defaultBranch;
            if (pull.mergeCommit) recordRevision({ repoURL, branch: base, revision: pull.mergeCommit });
            return { prNumber: number, state: 'merged', branch: base, ...(pull.url ? { url: pull.url } : {}), ...(pull.mergeCommit ? { commit: pull.mergeCommit } : {}) };
          }
          if (pull.state === 'closed') throw new ImageUpdateError(`${where}: pull request #${number} of ${repository} was closed without being merged`);
          if (Date.now() + pollMs > deadline) throw new ImageUpdateError(`${where}: pull request #${number} of ${repository} is not merged after ${Math.round(timeoutMs / 1000)}s; merge it, then promote the freight again`);
          if (deps.signal?.aborted) throw new ImageUpdateError(`${where}: stopped while waiting for pull request #${number}`);
          await new Promise((resolve) => setTimeout(resolve, pollMs));
        }
      }
    }
  };
  /** The step's own forge settings (provider, apiURL, tokenRef), else those of an image policy's pull-request write-back to repoURL. */
  function forgeSettingsFor(settings: { provider?: ImagePullRequestSettings['provider']; apiURL?: string; apiUrl?: string; tokenRef?: SecretRef; repository?: string }, repoURL: string, where: string): ImagePullRequestSettings {
    const apiUrl = settings.apiURL ?? settings.apiUrl;
    if (settings.provider && apiUrl && settings.tokenRef) {
      return { provider: settings.provider, apiUrl, tokenRef: settings.tokenRef, ...(settings.repository ? { repository: render(settings.repository) } : {}) };
    }
    const borrowed = imagePoliciesOf(config).map((policy) => policy.writeBack.pullRequest ? { policy, settings: policy.writeBack.pullRequest } : undefined)
      .find((entry) => entry && (entry.policy.writeBack.repoUrl ?? config.applications.find((app) => app.metadata.name === entry.policy.app)?.spec.source?.repoURL) === repoURL);
    if (!borrowed) throw new ImageUpdateError(`${where}: no pull-request settings for ${repoURL}: set provider, apiURL and tokenRef in the step, or an image policy's pull-request write-back to that repository`);
    // A provider the step names alone must be the one borrowed (never silently another forge's).
    if (settings.provider && settings.provider !== borrowed.settings.provider) {
      throw new ImageUpdateError(`${where}: provider ${settings.provider} differs from the ${borrowed.settings.provider} pull-request settings of ${repoURL} (image policy ${borrowed.policy.id}): set apiURL and tokenRef in the step`);
    }
    return { ...borrowed.settings, ...(settings.repository ? { repository: render(settings.repository) } : {}) };
  }

  for (const [index, step] of steps.entries()) {
    states[index] = { ...states[index], state: 'running' };
    await onProgress(states);
    try {
      const output = await runStep(step, index);
      if (step.as) scope.outputs[step.as] = output;
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
      states[index] = { ...states[index], state: 'succeeded', output: { ...(await push([...workSets.values()])), implicit: true } };
    } catch (error) {
      states[index] = { ...states[index], state: 'failed', error: (error as Error).message };
      await onProgress(states);
      return { steps: states, revisions, failure: `git-push: ${(error as Error).message}` };
    }
    await onProgress(states);
  }
  return { steps: states, revisions };
}
