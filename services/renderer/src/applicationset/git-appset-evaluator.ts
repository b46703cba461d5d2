import type { Redis } from 'ioredis';
import {
  applyGeneration,
  ArgoApplication,
  evaluateApplicationSet,
  gitGeneratorSources,
  isAutomatedSync,
  sameRepo,
  usesGit,
  type ApplicationSet,
  type GitTree,
  type TidewaterConfig,
} from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { readGeneratedApplicationSets, writeGeneratedApplicationSet, type Producers } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import type { GitTreeReader } from './git-tree.ts';

/** On an ApplicationSet, `"true"` lets an evaluation with no Application delete the previous set (off by default). */
export const allowEmptyAnnotation = 'tidewater.dev/allow-empty';

export interface GitAppSetEvaluatorDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  producers: Producers;
  events: EventPublisher;
  logger: Logger;
  trees: GitTreeReader;
  /** Keep the previous set when a non-empty one evaluates to nothing (default true; see applyGeneration). */
  guardEmpty?: boolean;
  /** Called with each newly published set so this process's config view takes it at once. */
  onPublished?: () => Promise<unknown>;
}

export interface GitAppSetOutcome {
  applicationSet: string;
  status: 'generated' | 'unchanged' | 'kept-previous';
  created: string[];
  updated: string[];
  deleted: string[];
  problem?: string;
}

export interface GitAppSetEvaluator {
  /** Re-evaluates the ApplicationSets whose git generators read `repoURL` (after a push to it). */
  onPush(repoURL: string): Promise<GitAppSetOutcome[]>;
  /** Evaluates one ApplicationSet now (startup, or a preview); `publish: false` computes without writing anything. */
  evaluate(applicationSet: ApplicationSet, options?: { publish?: boolean }): Promise<GitAppSetOutcome & { applications: ArgoApplication[] }>;
  /** Every git ApplicationSet of the configuration (startup). */
  evaluateAll(): Promise<GitAppSetOutcome[]>;
}

/**
 * Evaluates ApplicationSets with git generators in the renderer, which holds Git read credentials, and
 * publishes each set's last good result under a shared Redis key. A failure or a suspiciously empty result
 * keeps the previously published set and is reported (event + warning); created or changed automated
 * Applications are queued for render at once, so a new directory does not wait for a push to its own source.
 */
export function createGitAppSetEvaluator(deps: GitAppSetEvaluatorDeps): GitAppSetEvaluator {
  const gitSets = () => (deps.config().applicationSets ?? []).filter((set) => set.spec.generators.some(usesGit));

  async function evaluate(applicationSet: ApplicationSet, options: { publish?: boolean } = {}) {
    const name = applicationSet.metadata.name;
    const publish = options.publish ?? true;
    const { sets } = await readGeneratedApplicationSets(deps.redis, [name]);
    const previousRaw = sets[0];
    const previous = (previousRaw?.applications ?? []).flatMap((raw) => {
      const parsed = ArgoApplication.safeParse(raw);
      return parsed.success ? [parsed.data] : [];
    });
    const trees = new Map<string, GitTree>();
    const revisions: Record<string, string> = {};
    let readProblem: string | undefined;
    try {
      for (const source of applicationSet.spec.generators.flatMap(gitGeneratorSources)) {
        const key = `${source.repoURL}\u0000${source.revision}`;
        if (trees.has(key)) continue;
        // The ref's head now (a push's own commit or a newer one: the newest wins).
        const commit = await deps.trees.resolve(source.repoURL, source.revision);
        trees.set(key, await deps.trees.read(source.repoURL, commit, source.filePatterns));
        revisions[source.repoURL] = commit;
      }
    } catch (error) {
      readProblem = `a git generator's repository could not be read: ${(error as Error).message}`;
    }
    const result = readProblem
      ? ({ ok: false, error: readProblem } as const)
      : evaluateApplicationSet(applicationSet, {
          clusters: deps.config().clusters,
          gitTree: (repoURL, revision) => trees.get(`${repoURL}\u0000${revision || 'HEAD'}`),
        });
    const outcome = applyGeneration(previousRaw ? previous : undefined, result, applicationSet.spec.syncPolicy?.applicationsSync, {
      allowEmpty: deps.guardEmpty === false || applicationSet.metadata.annotations?.[allowEmptyAnnotation] === 'true',
    });
    const changed = outcome.created.length + outcome.updated.length + outcome.deleted.length > 0 || !previousRaw;
    const status: GitAppSetOutcome['status'] = outcome.keptPrevious ? 'kept-previous' : changed ? 'generated' : 'unchanged';
    const report: GitAppSetOutcome & { applications: ArgoApplication[] } = {
      applicationSet: name,
      status,
      created: outcome.created,
      updated: outcome.updated,
      deleted: outcome.deleted,
      problem: outcome.problem,
      applications: outcome.applications,
    };
    if (!publish) return report;
    if (outcome.keptPrevious) {
      deps.logger.warn({ applicationSet: name, problem: outcome.problem }, 'applicationset evaluation kept the previous set');
      if (previousRaw && previousRaw.problem !== outcome.problem) await writeGeneratedApplicationSet(deps.redis, { ...previousRaw, problem: outcome.problem });
      await deps.events.publish({ type: eventTypes.applicationSetFailed, subject: name, data: { applicationSet: name, problem: outcome.problem } });
      return report;
    }
    if (status === 'unchanged' && !previousRaw?.problem) return report;
    await writeGeneratedApplicationSet(deps.redis, {
      applicationSet: name,
      revisions,
      generatedAt: new Date().toISOString(),
      applications: outcome.applications as unknown as Array<Record<string, unknown>>,
    });
    await deps.onPublished?.();
    await deps.events.publish({
      type: eventTypes.applicationSetGenerated,
      subject: name,
      data: { applicationSet: name, created: outcome.created, updated: outcome.updated, deleted: outcome.deleted, revisions },
    });
    deps.logger.info({ applicationSet: name, created: outcome.created.length, updated: outcome.updated.length, deleted: outcome.deleted.length }, 'applicationset generated');
    // Automated ones render (and sync) now; a manual one waits for its operator, as a written Application does.
    const toRender = new Set([...outcome.created, ...outcome.updated]);
    for (const application of outcome.applications.filter((candidate) => toRender.has(candidate.metadata.name) && isAutomatedSync(candidate))) {
      const { repoURL, targetRevision } = application.spec.source;
      try {
        const known = Object.entries(revisions).find(([url]) => sameRepo(url, repoURL) && (targetRevision ?? 'HEAD') === gitRefOf(applicationSet, url));
        const revision = known ? known[1] : await deps.trees.resolve(repoURL, targetRevision ?? 'HEAD');
        await deps.producers.requestRender({ app: application.metadata.name, repoURL, revision, targetRevision: targetRevision ?? 'HEAD', trigger: { kind: 'reconcile', actor: `applicationset/${name}` }, trace: {} });
      } catch (error) {
        deps.logger.warn({ applicationSet: name, app: application.metadata.name, reason: (error as Error).message }, 'generated application could not be queued for render');
      }
    }
    return report;
  }

  return {
    evaluate,
    async onPush(repoURL) {
      const affected = gitSets().filter((set) => set.spec.generators.flatMap(gitGeneratorSources).some((source) => sameRepo(source.repoURL, repoURL)));
      const outcomes: GitAppSetOutcome[] = [];
      for (const applicationSet of affected) outcomes.push(await evaluate(applicationSet));
      return outcomes;
    },
    async evaluateAll() {
      const outcomes: GitAppSetOutcome[] = [];
      for (const applicationSet of gitSets()) outcomes.push(await evaluate(applicationSet));
      return outcomes;
    },
  };
}

/** The revision an ApplicationSet's git generator follows in `repoURL` (HEAD when none is written). */
function gitRefOf(applicationSet: ApplicationSet, repoURL: string): string | undefined {
  return applicationSet.spec.generators.flatMap(gitGeneratorSources).find((source) => sameRepo(source.repoURL, repoURL))?.revision;
}
