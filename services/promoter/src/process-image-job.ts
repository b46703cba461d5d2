import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { imagePoliciesOf, isBranchTemplate, renderBranchTemplate, type ArgoApplication, type ImagePolicy, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher, type ImageUpdatedData } from '@tidewater/events';
import { ImageJob, redisKeys, type Producers, type RenderedBundle, type SyncHistoryEntry } from '@tidewater/queues';
import { currentTraceId, withSpan, type Logger } from '@tidewater/telemetry';
import { currentImageInFile, imagesInObjects, manifestNameOf, targetFileOf } from './current-image.ts';
import { ExternalServiceError, ImageUpdateError } from './errors/promoter-errors.ts';
import type { PromoterGit } from './git/promoter-git.ts';
import { getImageUpdaterMetrics } from './metrics/image-updater-metrics.ts';
import { pinAfterRevert, readPause, readWrittenImage, recordWrittenImage } from './pin/image-pin.ts';
import { decideTag, missingPlatforms } from './policy/tag-decision.ts';
import type { RegistryClient } from './registry/registry-client.ts';
import { setArgocdSourceImage } from './write-back/argocd-source.ts';
import { defaultCommitAuthor, defaultCommitMessage } from './write-back/commit-message.ts';
import { setHelmImage } from './write-back/helm-values.ts';
import type { ImageChange } from './write-back/image-change.ts';
import { setKustomizationImage } from './write-back/kustomization-images.ts';
import { currentSetterTag, setSetterMarkers } from './write-back/flux-setters.ts';
import type { WorkingCopy } from './git/working-copy.ts';
import { writeBack, type FileEdit } from './write-back/write-back.ts';
import { overrideImage } from './write-back/argocd-override.ts';
import type { PullRequestOutcome } from './pull-requests/pull-request-target.ts';
import { openOrUpdatePullRequest, resumePendingPullRequest, type PullRequestWriteBack } from './pull-requests/write-back-pull-request.ts';

export interface ImageJobDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  registry: RegistryClient;
  git: PromoterGit;
  /** Private clones of the repositories the promoter writes to. */
  cacheDir: string;
  /** Commit author (default: Image Updater's `argocd-image-updater <noreply@argoproj.io>`). */
  author?: { name: string; email: string };
  /** Pull-request mode: how the forge API is called (default global fetch) and where token references are read (default process.env). */
  fetch?: typeof fetch;
  env?: NodeJS.ProcessEnv;
  /** Render requests (write-back-method argocd re-renders the app with its parameter override). */
  producers?: Producers;
}

export type ImageJobResult =
  | { outcome: 'updated'; commit: string; oldTag?: string; newTag: string; newDigest?: string; file: string; pullRequest?: PullRequestOutcome }
  | { outcome: 'unchanged' | 'pinned' | 'skipped'; reason: string };

/** The unit of work of the image queue: one pushed tag, one policy → at most one commit. */
export async function processImageJob(deps: ImageJobDeps, job: Job, token?: string, signal?: AbortSignal): Promise<ImageJobResult> {
  const parsed = ImageJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('image job payload is invalid');
  const data = parsed.data;
  return withSpan('image update', { kind: 'consumer', carrier: data.trace, attributes: { 'tidewater.app': data.app, 'tidewater.image': data.image } }, async () => {
    const log = deps.logger.child({ jobId: job.id, app: data.app, policy: data.policy, image: data.image, tag: data.tag });
    const metrics = getImageUpdaterMetrics();
    const config = deps.config();
    const policy = imagePoliciesOf(config).find((candidate) => candidate.id === data.policy);
    const application = config.applications.find((candidate) => candidate.metadata.name === data.app);
    if (!policy || (!application && !policy.writeBack.repoUrl) || policy.disabledReason) {
      const reason = !policy || (!application && !policy.writeBack.repoUrl) ? 'the policy or its Application is no longer configured' : `the policy is disabled: ${policy.disabledReason}`;
      log.info({ reason }, 'image job skipped');
      return { outcome: 'skipped', reason };
    }
    const traceId = currentTraceId();
    const base = { app: data.app, policy: data.policy, image: data.image, ...(traceId ? { traceId } : {}) };
    if (job.attemptsMade === 0) {
      await deps.events.publish({ type: eventTypes.imageDiscovered, data: { ...base, ...(data.tag ? { tag: data.tag } : {}), ...(data.digest ? { digest: data.digest } : {}), provider: data.source.provider, deliveryId: data.source.deliveryId } });
    }
    try {
      const result = await updateImage(deps, { policy, application, tag: data.tag, digest: data.digest, signal, job, ...(token ? { token } : {}), log, base });
      metrics.imageJobs.inc({ app: data.app, outcome: result.outcome });
      return result;
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      const retryable = error instanceof ExternalServiceError;
      const lastAttempt = !retryable || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (lastAttempt) {
        // Reported once: after the last retry, or at once when retrying cannot help.
        metrics.imagesUpdatedErrors.inc({ application: data.app });
        metrics.imageJobs.inc({ app: data.app, outcome: 'failed' });
        log.warn({ reason: (error as Error).message }, 'image update failed');
        await deps.events.publish({ type: eventTypes.imageUpdateFailed, data: { ...base, ...(data.tag ? { tag: data.tag } : {}), reason: (error as Error).message } }).catch(() => undefined);
      }
      if (!retryable) throw new UnrecoverableError((error as Error).message);
      throw error;
    }
  });
}

async function updateImage(deps: ImageJobDeps, request: {
  policy: ImagePolicy;
  application: ArgoApplication | undefined;
  tag: string | undefined;
  digest: string | undefined;
  signal: AbortSignal | undefined;
  job?: Job;
  token?: string;
  log: Logger;
  base: { app: string; policy: string; image: string; traceId?: string };
}): Promise<ImageJobResult> {
  const { policy, application, log, base } = request;
  const app = application?.metadata.name ?? policy.app;
  const tag = request.tag ?? policy.constraint;
  if (!tag) return { outcome: 'skipped', reason: 'the push names no tag' };

  // Rollbacks win: an app paused by `tide rollback` (or an earlier revert) gets nothing new until resumed.
  const pause = await readPause(deps.redis, app);
  if (pause) {
    log.info({ pausedBy: pause.by }, 'image pinned: application paused');
    const cause = pause.by === 'tidewater-promoter' ? 'git-revert' : 'rollback';
    await deps.events.publish({ type: eventTypes.imagePinned, data: { ...base, tag, cause, reason: `the application is paused (${cause}): resume it to take new images` } });
    getImageUpdaterMetrics().imageJobs.inc({ app, outcome: 'pinned' });
    return { outcome: 'pinned', reason: 'application paused' };
  }

  // The webhook names the tag (and mostly the digest): one manifest request confirms it. Docker Distribution
  // notifies before it links the tag, so a pushed digest is checked by digest; a tag not found yet is retried.
  const reference = request.digest ?? tag;
  const digest = await deps.registry.manifestDigest(policy.image, reference, request.signal);
  if (!digest) {
    if (request.digest) throw new ImageUpdateError(`${policy.image}@${request.digest} is not in the registry`);
    throw new ExternalServiceError(`${policy.image}:${tag} is not in the registry (yet)`);
  }

  if (policy.minTagAgeSeconds !== undefined && policy.minTagAgeSeconds > 0) {
    const created = await deps.registry.imageCreated(policy.image, digest, request.signal);
    const ageSeconds = created ? (Date.now() - created.getTime()) / 1000 : undefined;
    if (ageSeconds === undefined) {
      const reason = `${policy.image}:${tag} has no build time; minTagAgeSeconds cannot be checked`;
      log.info({ reason }, 'image age unknown');
      return { outcome: 'skipped', reason };
    }
    if (ageSeconds < policy.minTagAgeSeconds && request.job && request.token) {
      // BullMQ's delayed job: the same job runs again once the tag is old enough.
      const readyAt = Date.now() + Math.ceil(policy.minTagAgeSeconds - ageSeconds) * 1000;
      log.info({ readyAt: new Date(readyAt).toISOString() }, 'image too young: job delayed');
      await request.job.moveToDelayed(readyAt, request.token);
      throw new DelayedError();
    }
    if (ageSeconds < policy.minTagAgeSeconds) return { outcome: 'skipped', reason: `${policy.image}:${tag} is younger than minTagAgeSeconds ${policy.minTagAgeSeconds}` };
  }
  if (policy.platforms.length > 0) {
    // Image Updater's `platforms`: a tag qualifies only when its manifest (list) offers every listed platform.
    const offered = await deps.registry.manifestPlatforms(policy.image, digest, request.signal);
    const missing = missingPlatforms(policy, offered);
    if (missing.length > 0) {
      const reason = `${policy.image}:${tag} lacks platform ${missing.join(', ')} (it offers ${offered.join(', ') || 'none'})`;
      log.info({ reason }, 'image skipped: platforms missing');
      return { outcome: 'skipped', reason };
    }
  }
  if (policy.writeBack.method === 'argocd') {
    if (!deps.producers) throw new ImageUpdateError(`${policy.id}: write-back-method argocd needs the promoter's render producer`);
    return overrideImage({ redis: deps.redis, events: deps.events, producers: deps.producers, logger: log }, { policy, application, tag, digest, base });
  }
  const source = application?.spec.source;
  const repoUrl = policy.writeBack.repoUrl ?? source?.repoURL;
  if (!repoUrl) throw new ImageUpdateError(`Application ${app} has no single source to write back to`);
  const appBranch = source?.targetRevision && source.targetRevision !== 'HEAD' ? source.targetRevision : 'main';
  const pullRequestSettings = policy.writeBack.pullRequest;
  // Pull-request mode pushes to a write branch (`image-updater-<app>` unless git-branch names one) and proposes it to the app's branch.
  // A templated target (`base:image-updater-{{.SHA256}}`) names one new branch per change list, cut from the base.
  const branchTemplate = policy.writeBack.branch && isBranchTemplate(policy.writeBack.branch) ? policy.writeBack.branch : undefined;
  const baseBranch = policy.writeBack.baseBranch ?? (pullRequestSettings || branchTemplate ? appBranch : undefined);
  let branch = branchTemplate ? (baseBranch ?? appBranch) : policy.writeBack.branch ?? (pullRequestSettings ? `image-updater-${app}` : appBranch);
  if (pullRequestSettings && !branchTemplate && branch === baseBranch) throw new ImageUpdateError(`${policy.id}: pull-request mode needs a write branch other than ${branch} (git-branch base:target)`);
  const pullRequestTargetOf = (head: string): PullRequestWriteBack | undefined => (pullRequestSettings && baseBranch
    ? { settings: pullRequestSettings, repoUrl, head, base: baseBranch }
    : undefined);
  const pullRequestTarget = branchTemplate ? undefined : pullRequestTargetOf(branch);
  const pullRequestDeps = { redis: deps.redis, ...(deps.fetch ? { fetch: deps.fetch } : {}), ...(deps.env ? { env: deps.env } : {}), ...(request.signal ? { signal: request.signal } : {}) };
  const file = targetFileOf(policy);
  const manifestName = manifestNameOf(policy, policy.image);
  const written = await readWrittenImage(deps.redis, policy.id);
  const usesImage = policy.forceUpdate ? true : await appUsesImage(deps.redis, app, policy, manifestName);
  let change: ImageChange | undefined;
  let pinnedBy: string | undefined;

  const edit = async (text: string | undefined, copy: WorkingCopy): Promise<FileEdit> => {
    const target = policy.writeBack.target;
    // Flux setters: every YAML file under the automation's path that carries this policy's markers.
    const marked = target.kind === 'setters' ? copy.yamlFiles(target.path).flatMap((path) => {
      const content = copy.read(path) ?? '';
      return currentSetterTag(content, target.marker) ? [{ path, content }] : [];
    }) : [];
    const current = target.kind === 'setters'
      ? (marked.length > 0 ? currentSetterTag(marked[0].content, target.marker) ?? {} : {})
      : currentImageInFile(policy, text, manifestName, policy.image);
    if (target.kind === 'setters' && marked.length === 0) return { kind: 'skip', reason: `no file under ${target.path || '.'} carries the marker {"$imagepolicy": "${target.marker}"}` };
    // A templated branch leaves the base as it was, so the base not showing the written tag is no revert.
    if (written && !branchTemplate && current.tag !== undefined && current.tag !== written.tag) {
      // The promoter wrote written.tag; Git now says otherwise: an operator reverted or replaced it.
      pinnedBy = `${file} sets ${current.tag}, not ${written.tag} as written by commit ${written.commit.slice(0, 12)}`;
      return { kind: 'skip', reason: pinnedBy };
    }
    if (current.tag === undefined && usesImage === false) return { kind: 'skip', reason: `Application ${app} does not use ${policy.image} (set force-update to add it)` };
    const decision = decideTag(policy, { tag, digest }, current);
    if (!decision.update) return { kind: 'skip', reason: decision.reason };
    change = {
      image: policy.image, manifestName, newTag: decision.tag, newDigest: digest, pinDigest: policy.strategy === 'digest',
      ...(current.tag ? { oldTag: current.tag } : {}), ...(current.digest ? { oldDigest: current.digest } : {}),
    };
    if (target.kind === 'setters') {
      const applied = change;
      return { kind: 'write-files', files: Object.fromEntries(marked.map(({ path, content }) => [path, setSetterMarkers(content, target.marker, applied)])), message: defaultCommitMessage(app, [change]) };
    }
    const next = target.kind === 'kustomization'
      ? setKustomizationImage(text ?? 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n', change, file)
      : target.kind === 'helmvalues'
        ? setHelmImage(text ?? '', change, policy.helm ?? {}, file)
        : setArgocdSourceImage(text ?? '', change, policy.helm, file);
    return { kind: 'write', text: next, message: defaultCommitMessage(app, [change]) };
  };

  const result = await writeBack({ redis: deps.redis, git: deps.git, cacheDir: deps.cacheDir, ...(request.signal ? { signal: request.signal } : {}) }, {
    repoUrl, branch, ...(baseBranch && !branchTemplate ? { baseBranch } : {}), file, edit,
    author: deps.author ?? defaultCommitAuthor,
    ...(branchTemplate ? {
      pushBranch: () => renderBranchTemplate(branchTemplate, {
        appName: app,
        // `.Name` as Image Updater has it: the repository without the registry host (and Docker Hub's `library/`).
        images: change ? [{ name: change.image.split('/').slice(1).join('/').replace(/^library\//, ''), alias: policy.alias, oldTag: change.oldTag ?? '', newTag: change.newTag }] : [],
      }),
    } : {}),
  });
  if (result.kind === 'unchanged') {
    if (pinnedBy) {
      const head = await deps.redis.get(redisKeys.desiredRevision(app)).then((raw) => (raw ? (JSON.parse(raw) as { revision?: string }).revision : undefined)).catch(() => undefined);
      await pinAfterRevert(deps.redis, app, policy.id, head ?? 'unknown', pinnedBy);
      log.info({ reason: pinnedBy }, 'image pinned: the image change was reverted in Git');
      await deps.events.publish({ type: eventTypes.imagePinned, data: { ...base, tag, cause: 'git-revert', reason: pinnedBy } });
      return { outcome: 'pinned', reason: pinnedBy };
    }
    if (pullRequestTarget) {
      // An earlier attempt pushed the write branch but the forge call failed: its pull request is owed still.
      const resumed = await resumePendingPullRequest(pullRequestDeps, pullRequestTarget);
      if (resumed) {
        const { outcome, event } = resumed;
        log.info({ commit: event.commit, pullRequest: outcome.number, action: outcome.action }, 'image updated: pull request of an earlier push');
        await deps.events.publish({ type: eventTypes.imageUpdated, data: { ...event, pullRequestUrl: outcome.url, pullRequestNumber: outcome.number } });
        return { outcome: 'updated', commit: event.commit, ...(event.oldTag ? { oldTag: event.oldTag } : {}), newTag: event.newTag, file: event.file, pullRequest: outcome };
      }
    }
    log.debug({ reason: result.reason }, 'image unchanged');
    return { outcome: 'unchanged', reason: result.reason };
  }
  branch = result.branch;
  const pullRequestTargetAfter = branchTemplate ? pullRequestTargetOf(branch) : pullRequestTarget;
  const applied = change as ImageChange;
  // Recorded before the pull request: a retry after a forge failure must see this tag as the promoter's own, not a revert.
  await recordWrittenImage(deps.redis, policy.id, { tag: applied.newTag, ...(applied.newDigest ? { digest: applied.newDigest } : {}), commit: result.commit, at: new Date().toISOString() });
  const updated: ImageUpdatedData = {
    ...base, newTag: applied.newTag, ...(applied.oldTag ? { oldTag: applied.oldTag } : {}),
    ...(applied.newDigest ? { newDigest: applied.newDigest } : {}), ...(applied.oldDigest ? { oldDigest: applied.oldDigest } : {}),
    commit: result.commit, revision: result.commit, repo: repoUrl, branch, file,
  };
  let pullRequest: PullRequestOutcome | undefined;
  if (pullRequestTargetAfter) {
    const message = defaultCommitMessage(app, [applied]);
    pullRequest = await openOrUpdatePullRequest(pullRequestDeps, pullRequestTargetAfter, {
      title: `Update ${app}: ${applied.image}:${applied.newTag}`,
      body: `${message}\n\nOpened by Tidewater's promoter. Later image updates of this target are pushed to \`${branch}\` and update this pull request.`,
      event: updated,
    });
  }
  getImageUpdaterMetrics().imagesUpdated.inc({ application: app });
  log.info({ commit: result.commit, oldTag: applied.oldTag, newTag: applied.newTag, file, attempts: result.attempts, pullRequest: pullRequest?.number }, 'image updated');
  await deps.events.publish({
    type: eventTypes.imageUpdated,
    data: { ...updated, ...(pullRequest ? { pullRequestUrl: pullRequest.url, pullRequestNumber: pullRequest.number } : {}) },
  });
  return {
    outcome: 'updated', commit: result.commit, ...(applied.oldTag ? { oldTag: applied.oldTag } : {}), newTag: applied.newTag,
    ...(applied.newDigest ? { newDigest: applied.newDigest } : {}), file, ...(pullRequest ? { pullRequest } : {}),
  };
}

/** Whether the app's last applied bundle runs the image (undefined when no bundle is at hand). */
async function appUsesImage(redis: Redis, app: string, policy: ImagePolicy, manifestName: string): Promise<boolean | undefined> {
  try {
    const latest = await redis.lindex(redisKeys.history(app), 0);
    const entry = latest ? (JSON.parse(latest) as Partial<SyncHistoryEntry>) : undefined;
    if (!entry?.bundleKey) return undefined;
    const raw = await redis.get(entry.bundleKey);
    if (!raw) return undefined;
    const bundle = JSON.parse(raw) as Partial<RenderedBundle>;
    return Array.isArray(bundle.objects) ? imagesInObjects(bundle.objects, policy, manifestName).length > 0 : undefined;
  } catch {
    return undefined;
  }
}
