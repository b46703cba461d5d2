import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { stringify } from 'yaml';
import {
  applyGeneration,
  evaluateApplicationSet,
  gitGeneratorSources,
  usesGit,
  withPublishedSets,
  type ArgoApplication,
  type GitTree,
  type RawPublishedSet,
  type TidewaterConfig,
} from '@tidewater/config';
import { createRedisConnection, readGeneratedApplicationSets } from '@tidewater/queues';
import { createGitTreeReader, type GitTreeReader } from '@tidewater/renderer';
import { createLogger } from '@tidewater/telemetry';

export interface AppsetCommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  loadConfig: () => Promise<TidewaterConfig>;
  /** The renderer's published sets (Redis), for the current set of a git ApplicationSet. */
  readPublished: (names: string[]) => Promise<RawPublishedSet[]>;
  /** Reads git generators' repositories for the preview (the renderer's reader, with a private cache). */
  trees: () => GitTreeReader;
}

const usage = 'usage: tide appset generate <name> [--json]';

/**
 * `tide appset generate <name>`: evaluates the ApplicationSet now and prints the Applications it would
 * own, with a diff against its current set, and what the keep-previous guard and applicationsSync would
 * do. Applies and publishes nothing. Returns the exit code (0 ok, 1 evaluation problem, 2 usage).
 */
export async function runAppsetGenerate(args: readonly string[], io: AppsetCommandIO): Promise<number> {
  const json = args.includes('--json');
  const [subcommand, name] = args.filter((arg) => arg !== '--json');
  if (subcommand !== 'generate' || !name) {
    io.stderr(usage);
    return 2;
  }
  const base = await io.loadConfig();
  const applicationSet = (base.applicationSets ?? []).find((set) => set.metadata.name === name);
  if (!applicationSet) {
    const known = (base.applicationSets ?? []).map((set) => set.metadata.name);
    io.stderr(`tide appset: no ApplicationSet named ${name}${known.length ? ` (known: ${known.join(', ')})` : ''}`);
    return 1;
  }
  const byGit = applicationSet.spec.generators.some(usesGit);
  const config = byGit ? withPublishedSets(base, await io.readPublished([name])) : base;
  const currentNames = new Set(config.applicationSetReports?.find((report) => report.name === name)?.applications ?? []);
  const current = config.applications.filter((application) => currentNames.has(application.metadata.name));

  const trees = new Map<string, GitTree>();
  let readProblem: string | undefined;
  if (byGit) {
    const reader = io.trees();
    try {
      for (const source of applicationSet.spec.generators.flatMap(gitGeneratorSources)) {
        const commit = await reader.resolve(source.repoURL, source.revision);
        trees.set(`${source.repoURL}\u0000${source.revision}`, await reader.read(source.repoURL, commit, source.filePatterns));
      }
    } catch (error) {
      readProblem = `a git generator's repository could not be read: ${(error as Error).message}`;
    }
  }
  const result = readProblem
    ? ({ ok: false, error: readProblem } as const)
    : evaluateApplicationSet(applicationSet, { clusters: config.clusters, gitTree: (repoURL, revision) => trees.get(`${repoURL}\u0000${revision || 'HEAD'}`) });
  const outcome = applyGeneration(current, result, applicationSet.spec.syncPolicy?.applicationsSync, {
    allowEmpty: applicationSet.metadata.annotations?.['tidewater.dev/allow-empty'] === 'true',
  });
  const generated = result.ok ? result.applications.map((entry) => entry.application) : [];

  if (json) {
    io.stdout(JSON.stringify({ applicationSet: name, ok: result.ok, ...(result.ok ? {} : { error: result.error }), generated, current: current.map((a) => a.metadata.name), outcome }, null, 2));
    return result.ok ? 0 : 1;
  }
  if (!result.ok) {
    io.stderr(`tide appset: ApplicationSet ${name} could not be evaluated: ${result.error}`);
    io.stdout(`the current ${current.length} Application(s) would be kept; nothing would be deleted`);
    return 1;
  }
  for (const application of generated) io.stdout(`---\n${stringify(application).trimEnd()}`);
  io.stdout('');
  io.stdout(`# diff against the current set (${current.length} Application(s)), policy ${applicationSet.spec.syncPolicy?.applicationsSync ?? 'sync'}:`);
  const currentByName = new Map(current.map((application) => [application.metadata.name, application]));
  for (const application of generated) {
    const before = currentByName.get(application.metadata.name);
    if (!before) io.stdout(`+ ${application.metadata.name}`);
    else if (JSON.stringify(before) !== JSON.stringify(application)) {
      io.stdout(`~ ${application.metadata.name}`);
      for (const line of changedFields(before, application)) io.stdout(`    ${line}`);
    }
  }
  const generatedNames = new Set(generated.map((application) => application.metadata.name));
  for (const application of current) if (!generatedNames.has(application.metadata.name)) io.stdout(`- ${application.metadata.name}`);
  if (outcome.keptPrevious) io.stdout(`! ${outcome.problem}`);
  else {
    const retained = outcome.retained.length ? `; kept by the policy: ${outcome.retained.join(', ')}` : '';
    io.stdout(`would create ${outcome.created.length}, update ${outcome.updated.length}, delete ${outcome.deleted.length}${retained} (nothing applied)`);
  }
  for (const warning of result.warnings) io.stderr(`warning: ${warning}`);
  return 0;
}

/** `spec.source.path: apps/a → apps/b` lines for the leaves that differ. */
function changedFields(before: ArgoApplication, after: ArgoApplication): string[] {
  const lines: string[] = [];
  const visit = (left: unknown, right: unknown, path: string) => {
    if (JSON.stringify(left) === JSON.stringify(right)) return;
    const isMap = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);
    if (isMap(left) && isMap(right)) {
      const keys = new Set([...Object.keys(left as object), ...Object.keys(right as object)]);
      for (const key of keys) visit((left as Record<string, unknown>)[key], (right as Record<string, unknown>)[key], path ? `${path}.${key}` : key);
      return;
    }
    lines.push(`${path}: ${JSON.stringify(left) ?? '(absent)'} → ${JSON.stringify(right) ?? '(absent)'}`);
  };
  visit(before, after, '');
  return lines;
}

/** The real IO for `tide appset`: Redis for the published sets, the renderer's git reader with a private cache. */
export function createAppsetCommandIO(options: { redisUrl: string; loadConfig: () => Promise<TidewaterConfig>; cacheDir?: string }): AppsetCommandIO & { close: () => void } {
  let redis: Redis | undefined;
  const cacheDir = options.cacheDir ?? join(tmpdir(), `tide-appset-${process.pid}`);
  return {
    stdout: (text) => console.log(text),
    stderr: (text) => console.error(text),
    loadConfig: options.loadConfig,
    async readPublished(names) {
      redis ??= createRedisConnection(options.redisUrl, 'worker', { maxRetriesPerRequest: 3 });
      return (await readGeneratedApplicationSets(redis, names)).sets;
    },
    trees: () => createGitTreeReader({ cacheDir, repositories: () => [], logger: createLogger('tide', { level: 'silent' }) }),
    close() {
      redis?.disconnect();
      if (!options.cacheDir) rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}
