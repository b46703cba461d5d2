import { mkdirSync, mkdtempSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArgoApplication } from '@tidewater/config';
import { eventTypes } from '@tidewater/events';
import { applyImageOverride, readDesiredRevision, readImageOverride, redisKeys, RenderJob, type RenderedBundle } from '@tidewater/queues';
import { currentTraceId, injectTraceContext, withSpan, type Logger } from '@tidewater/telemetry';
import { bundleCacheKey, readCachedRender, storeRender, type CachedRender } from '../cache/bundle-cache.ts';
import { isPermanent, permanent } from '../errors/permanent.ts';
import { KeepRetrying } from '../errors/keep-retrying.ts';
import { gitCredentialEnv } from '../git/credentials.ts';
import { checkoutCommit, newestRevisionOnBranch } from '../git/mirror.ts';
import { authorizeSource, type SourceAccess } from '../git/source-access.ts';
import { appSourcePath, needsPrivateTree, renderSource, type RendererKind } from '../render/render-source.ts';
import { sharedTreesFor, type SharedTree } from '../git/shared-trees.ts';
import { readLastRendered, recordLastRendered, sourcePathsUnchanged } from '../source-paths/unchanged-sources.ts';
import { assertSafeToolArguments } from '../render/tool-arguments.ts';
import { substituteVariables, substituteVariablesOf } from '../render/post-build-substitute.ts';
import { applyFluxPatches, fluxPatchesOf } from '../render/flux-patches.ts';
import { recordSourcePaths } from '../source-paths/record-source-paths.ts';
import type { RendererDeps } from './renderer-deps.ts';

/** The parts of a BullMQ job the processor reads (tests pass plain objects). */
export interface RenderJobContext {
  id?: string;
  data: unknown;
  /** Attempts that already failed (BullMQ's attemptsMade). */
  attemptsMade: number;
  opts: { attempts?: number };
}

export type RenderJobResult =
  | { superseded: true }
  | { superseded?: false; bundleKey: string; objects: number; cached: boolean };

const defaultToolTimeoutMs = 60_000;

/**
 * Renders one application at one commit: superseded check → git mirror → render (or bundle cache hit) →
 * source paths → sync job. Permanent failures are UnrecoverableError; transient ones are retried by BullMQ.
 */
export async function processRenderJob(job: RenderJobContext, deps: RendererDeps): Promise<RenderJobResult> {
  const raw = (typeof job.data === 'object' && job.data !== null ? job.data : {}) as Partial<RenderJob>;
  const carrier = raw.trace && typeof raw.trace === 'object' ? raw.trace : undefined;
  return withSpan('render', { carrier, kind: 'consumer', attributes: { 'tidewater.app': String(raw.app ?? '') } }, async (span) => {
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? 1;
    let log = deps.logger.child({ jobId: job.id, app: raw.app, revision: raw.revision });
    try {
      const parsed = RenderJob.safeParse(job.data);
      if (!parsed.success) throw permanent(`render job payload is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'} ${issue.message}`).join('; ')}`);
      const data = parsed.data;
      log = deps.logger.child({ jobId: job.id, app: data.app, revision: data.revision });
      span.setAttributes({ 'tidewater.revision': data.revision, 'tidewater.attempt': attempt });

      const configured = deps.config().applications.find((candidate) => candidate.metadata.name === data.app);
      if (!configured) throw permanent(`application ${data.app} is not in the configuration`);
      // Image Updater's write-back-method argocd: the promoter's parameter override (Redis) over the source; it is
      // part of the source, so of the bundle's cache key and of the argument checks below.
      const app = withImageOverride(configured, await readImageOverride(deps.redis, data.app));
      // Before the cache or git is asked anything: the project must permit the repository, its transport must
      // be allowed, and no value of the Application may reach a tool as a flag.
      const access = authorizeSource(deps.config(), app, data.repoURL);
      assertSafeToolArguments(app, data.targetRevision);

      const desired = await readDesiredRevision(deps.redis, data.app);
      if (desired && desired.revision !== data.revision) {
        log.info({ desiredRevision: desired.revision }, 'render superseded by a newer revision');
        return { superseded: true };
      }

      // A bundle already rendered for this very commit needs no git at all; otherwise render the newest commit
      // of the branch that this one leads to.
      const ownCacheHit = await readCachedRender(deps.redis, cacheKeyOf(data, app), deps.bundleSigningKey);
      // A rollback renders exactly the revision it names: advancing to the branch head would undo it.
      // So does an operator's sync request: it names its revision.
      const pinned = ownCacheHit || data.trigger.kind === 'rollback' || data.operation !== undefined;
      const revision = pinned ? data.revision : await followBranch(data, deps, access, log);
      if (revision !== data.revision) {
        // A newer commit of the branch is already there: render it instead, once, and make it the desired one.
        await deps.redis.set(redisKeys.desiredRevision(data.app), JSON.stringify({ revision, at: new Date().toISOString() }));
        log.info({ newestRevision: revision }, 'render advanced to the newest commit of the branch');
        log = log.child({ revision });
      }
      const target: RenderJob = { ...data, revision };
      const common = { app: data.app, revision, actor: data.trigger.actor, traceId: currentTraceId(), trigger: data.trigger.kind };
      await deps.events.publish({ type: eventTypes.renderStarted, data: { ...common, deliveryId: data.trigger.deliveryId, attempt } });

      const startedAt = performance.now();
      // The cache was already asked about the job's own commit; ask again only for a commit it advanced to.
      const rendered = await renderWithCache(target, app, deps, access, log, revision === data.revision ? { cached: ownCacheHit } : undefined);
      const durationMs = Math.round(performance.now() - startedAt);

      await deps.producers.requestSync({
        app: data.app, revision, bundleKey: rendered.bundleKey, trigger: data.trigger, trace: injectTraceContext(),
        ...(data.operation ? { operation: data.operation } : {}),
      });
      await deps.events.publish({
        type: eventTypes.renderSucceeded,
        data: { ...common, objectCount: rendered.objectCount, renderer: rendered.renderer, durationMs, cached: rendered.cached, bundleKey: rendered.bundleKey },
      });
      log.info({ objectCount: rendered.objectCount, renderer: rendered.renderer, cached: rendered.cached, durationMs }, 'render succeeded');
      // A job that ran out of attempts and then recovered: a later job with the same id reports its own failure.
      if (attempt >= maxAttempts && deps.transientRetryDelayMs !== undefined && job.id) await deps.redis.del(failureReportKey(job.id)).catch(() => undefined);
      return { bundleKey: rendered.bundleKey, objects: rendered.objectCount, cached: rendered.cached };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      const willRetry = !isPermanent(error) && attempt < maxAttempts;
      // Out of attempts on a transient failure: reported once, then retried every transientRetryDelayMs.
      const retryDelayMs = !isPermanent(error) && !willRetry ? deps.transientRetryDelayMs : undefined;
      const firstReport = retryDelayMs === undefined || await claimFailureReport(deps, job.id);
      if (willRetry) {
        log.warn({ reason, attempt, maxAttempts }, 'render attempt failed; will retry');
      } else if (!firstReport) {
        log.warn({ reason, retryDelayMs }, 'render still failing on a transient error; retrying');
      } else {
        log.error({ reason, attempt, maxAttempts, permanent: isPermanent(error) }, 'render failed');
        await deps.events.publish({
          type: eventTypes.renderFailed,
          data: {
            app: typeof raw.app === 'string' ? raw.app : undefined,
            revision: typeof raw.revision === 'string' ? raw.revision : undefined,
            actor: raw.trigger?.actor, traceId: currentTraceId(), trigger: raw.trigger?.kind, reason, attempt,
            ...(retryDelayMs !== undefined ? { retrying: true, retryDelayMs } : {}),
          },
        }).catch((publishError: unknown) => log.warn({ reason: (publishError as Error).message }, 'could not publish render failed event'));
      }
      if (retryDelayMs !== undefined) throw new KeepRetrying(retryDelayMs, error);
      throw error;
    }
  });
}

/** The commit to render: the job's, or the newest commit of the followed branch that descends from it. */
async function followBranch(data: RenderJob, deps: RendererDeps, access: SourceAccess, log: Logger): Promise<string> {
  mkdirSync(join(deps.cacheDir, 'work'), { recursive: true });
  const scratchDir = mkdtempSync(join(deps.cacheDir, 'work', 'head-'));
  const credentials = credentialsFor(access, data.repoURL, scratchDir, log);
  try {
    return await newestRevisionOnBranch({
      cacheDir: deps.cacheDir, repoURL: data.repoURL, revision: data.revision, branch: data.targetRevision,
      scratchDir, credentialEnv: credentials.env, allowProtocols: access.allowProtocols, logger: deps.logger,
    });
  } finally {
    credentials.dispose();
    await rm(scratchDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

interface RenderedApp {
  bundleKey: string;
  objectCount: number;
  renderer: RendererKind;
  cached: boolean;
}

function cacheKeyOf(data: RenderJob, app: ArgoApplication): string {
  return bundleCacheKey({
    app: data.app, repoURL: data.repoURL, revision: data.revision, path: appSourcePath(app), source: app.spec.source,
    destinationNamespace: app.spec.destination.namespace,
    ...(substituteVariablesOf(app) ? { substitute: substituteVariablesOf(app) } : {}),
    ...(fluxPatchesOf(app) ? { patches: fluxPatchesOf(app) } : {}),
  });
}

/** The Repository's credential for this fetch, or none (logged, without the secret) when it is bound elsewhere. */
function credentialsFor(access: SourceAccess, repoURL: string, scratchDir: string, log: Logger) {
  const credentials = gitCredentialEnv(access.repository, repoURL, scratchDir);
  if (credentials.withheld) log.warn({ reason: credentials.withheld }, 'repository credential withheld from this URL');
  return credentials;
}

/** Runs `render`, making a permanent failure name the repository and commit it came from (once). */
async function namingOrigin<T>(data: RenderJob, render: () => Promise<T>): Promise<T> {
  try {
    return await render();
  } catch (error) {
    if (!isPermanent(error) || (error as Error).message.startsWith('repository ')) throw error;
    throw permanent(`repository ${data.repoURL} commit ${data.revision}: ${(error as Error).message}`);
  }
}

async function renderWithCache(
  data: RenderJob, app: ArgoApplication, deps: RendererDeps, access: SourceAccess, log: Logger, lookedUp?: { cached: CachedRender | undefined },
): Promise<RenderedApp> {
  const path = appSourcePath(app);
  const cacheKey = cacheKeyOf(data, app);

  const cachedRender = lookedUp ? lookedUp.cached : await readCachedRender(deps.redis, cacheKey, deps.bundleSigningKey);
  if (cachedRender) {
    await recordSourcePaths(deps.redis, data.app, cachedRender.sourcePaths.length ? cachedRender.sourcePaths : [path]);
    await recordLastRendered(deps.redis, data.app, data.revision);
    log.debug({ cacheKey }, 'bundle cache hit');
    return { bundleKey: redisKeys.bundle(cacheKey), objectCount: cachedRender.bundle.objects.length, renderer: cachedRender.bundle.renderer, cached: true };
  }

  const reused = await reuseUnchangedRender(data, app, deps, cacheKey, log);
  if (reused) return reused;

  mkdirSync(join(deps.cacheDir, 'work'), { recursive: true });
  const workDir = await mkdtemp(join(deps.cacheDir, 'work', 'render-'));
  const scratchDir = join(workDir, 'scratch');
  await mkdir(scratchDir);
  let shared: SharedTree | undefined;
  try {
    const checkout = async (targetDir: string) => {
      const credentials = credentialsFor(access, data.repoURL, scratchDir, log);
      try {
        // checkoutCommit runs the sandbox walk on every tree it writes, shared or private.
        const { fetched } = await checkoutCommit({
          cacheDir: deps.cacheDir, repoURL: data.repoURL, revision: data.revision, targetDir, scratchDir,
          credentialEnv: credentials.env, allowProtocols: access.allowProtocols, logger: log,
        });
        log.debug({ fetched }, 'commit checked out');
      } finally {
        credentials.dispose();
      }
    };
    // One read-only tree per commit for every render that only reads; a private one for those that write.
    shared = await (deps.sharedTrees ?? sharedTreesFor(deps.cacheDir, deps.logger)).acquire({ repoURL: data.repoURL, revision: data.revision, materialise: checkout });
    let treeDir = shared.treeDir;
    if (needsPrivateTree(treeDir, app)) {
      shared.release();
      shared = undefined;
      treeDir = join(workDir, 'tree');
      await mkdir(treeDir);
      await checkout(treeDir);
    }

    const outcome = await namingOrigin(data, () => renderSource({
      repoRoot: treeDir, app, tools: deps.tools ?? { helm: 'helm', kustomize: 'kustomize' }, scratchDir,
      timeoutMs: deps.toolTimeoutMs ?? defaultToolTimeoutMs,
      origin: { repoURL: data.repoURL, revision: data.revision }, allowRemoteBases: access.repository?.spec.allowRemoteBases ?? false,
    }));
    // Flux Kustomizations: patches on top of the path, then postBuild substitution, in Flux's order.
    const patches = fluxPatchesOf(app);
    const patched = patches
      ? await applyFluxPatches({ objects: outcome.objects, patches, kustomize: deps.tools?.kustomize ?? 'kustomize', scratchDir, timeoutMs: deps.toolTimeoutMs ?? defaultToolTimeoutMs })
      : outcome.objects;
    const variables = substituteVariablesOf(app);
    const objects = variables ? substituteVariables(patched, variables) : patched;
    const bundle: RenderedBundle = {
      app: data.app, repoURL: data.repoURL, revision: data.revision, path, objects,
      renderedAt: new Date().toISOString(), renderer: outcome.renderer,
    };
    const bundleKey = await storeRender(deps.redis, cacheKey, { bundle, sourcePaths: outcome.sourcePaths }, deps.bundleSigningKey);
    await recordSourcePaths(deps.redis, data.app, outcome.sourcePaths);
    await recordLastRendered(deps.redis, data.app, data.revision);
    return { bundleKey, objectCount: objects.length, renderer: outcome.renderer, cached: false };
  } finally {
    shared?.release();
    // Off the event loop: a private tree can be a whole repository.
    await rm(workDir, { recursive: true, force: true }).catch((error: Error) => log.warn({ reason: error.message }, 'could not remove a render work directory'));
  }
}

/**
 * The bundle of the commit this application was last rendered at, re-labelled for this commit, when the app's
 * source paths hold the same files at both (see unchanged-sources.ts): no checkout, no tool run.
 */
async function reuseUnchangedRender(data: RenderJob, app: ArgoApplication, deps: RendererDeps, cacheKey: string, log: Logger): Promise<RenderedApp | undefined> {
  const previousRevision = await readLastRendered(deps.redis, data.app);
  if (!previousRevision || previousRevision === data.revision) return undefined;
  const previous = await readCachedRender(deps.redis, cacheKeyOf({ ...data, revision: previousRevision }, app), deps.bundleSigningKey);
  if (!previous || previous.sourcePaths.length === 0) return undefined;
  const unchanged = await sourcePathsUnchanged({ cacheDir: deps.cacheDir, repoURL: data.repoURL, from: previousRevision, to: data.revision, paths: previous.sourcePaths });
  if (!unchanged) return undefined;
  const { signature: _previousSignature, ...content } = previous.bundle as RenderedBundle & { signature?: string };
  const bundle: RenderedBundle = { ...content, revision: data.revision, renderedAt: new Date().toISOString() };
  const bundleKey = await storeRender(deps.redis, cacheKey, { bundle, sourcePaths: previous.sourcePaths }, deps.bundleSigningKey);
  await recordSourcePaths(deps.redis, data.app, previous.sourcePaths);
  await recordLastRendered(deps.redis, data.app, data.revision);
  log.debug({ previousRevision }, 'source paths unchanged since the last render: bundle reused');
  return { bundleKey, objectCount: bundle.objects.length, renderer: bundle.renderer, cached: true };
}

/** True the first time a job runs out of attempts: its failure is reported once however long it keeps retrying. */
async function claimFailureReport(deps: RendererDeps, jobId: string | undefined): Promise<boolean> {
  if (!jobId) return true;
  const claimed = await deps.redis.set(failureReportKey(jobId), '1', 'EX', 7 * 24 * 3_600, 'NX').catch(() => 'OK');
  return claimed === 'OK';
}

/** Present while a job that ran out of attempts keeps retrying and its failure was reported (renderer-private). */
function failureReportKey(jobId: string): string {
  return `tidewater:renderer:failure-reported:${jobId}`;
}

function withImageOverride(app: ArgoApplication, override: Awaited<ReturnType<typeof readImageOverride>>): ArgoApplication {
  return override ? { ...app, spec: { ...app.spec, source: applyImageOverride(app.spec.source, override) } } : app;
}
