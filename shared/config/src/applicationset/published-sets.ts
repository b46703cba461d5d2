import { withGeneratedImagePolicies } from '../images/generated-app-policies.ts';
import type { TidewaterConfig } from '../build-config.ts';
import { ArgoApplication } from '../schema/application.ts';
import { generateApplications, type PublishedSet } from './config-view.ts';

/** A published set as read from Redis: Applications not yet validated. */
export interface RawPublishedSet {
  applicationSet: string;
  applications: readonly unknown[];
  problem?: string;
}

/**
 * The configuration with the renderer's published sets (git generators) merged in. Each Application is
 * validated again; an invalid one is reported on its ApplicationSet. Who owned a name before (the current
 * reports) decides conflicts, so a new claimant never takes an existing Application away. `previousLoaderSets`
 * (see loaderSetsOf) are the load-time sets of the configuration before this one, for `applicationsSync`.
 */
export function withPublishedSets(
  config: TidewaterConfig,
  published: readonly RawPublishedSet[],
  previousLoaderSets: ReadonlyMap<string, readonly ArgoApplication[]> = new Map(),
): TidewaterConfig {
  const applicationSets = config.applicationSets ?? [];
  if (applicationSets.length === 0) return config;
  const problems = new Map<string, string[]>();
  const sets: PublishedSet[] = published.map((set) => {
    const found: string[] = set.problem ? [set.problem] : [];
    const applications = set.applications.flatMap((raw, index) => {
      const parsed = ArgoApplication.safeParse(raw);
      if (parsed.success) return [parsed.data];
      found.push(`published Application ${index} is invalid: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
      return [];
    });
    problems.set(set.applicationSet, found);
    return { applicationSet: set.applicationSet, applications };
  });
  const previousOwners = new Map<string, string>();
  for (const report of config.applicationSetReports ?? []) for (const name of report.applications) previousOwners.set(name, report.name);
  const generated = generateApplications(
    { applications: config.writtenApplications ?? config.applications, projects: config.projects, clusters: config.clusters, applicationSets },
    sets,
    previousOwners,
    previousLoaderSets,
  );
  for (const report of generated.reports) report.problems.unshift(...(problems.get(report.name) ?? []));
  const merged = { ...config, applications: generated.applications, applicationSetReports: generated.reports };
  return { ...merged, imagePolicies: withGeneratedImagePolicies(merged).policies };
}

/** Each load-time (list / clusters) ApplicationSet's Applications in `config`, by ApplicationSet name. */
export function loaderSetsOf(config: TidewaterConfig): Map<string, ArgoApplication[]> {
  const byName = new Map(config.applications.map((application) => [application.metadata.name, application]));
  const sets = new Map<string, ArgoApplication[]>();
  for (const report of config.applicationSetReports ?? []) {
    if (report.evaluatedBy !== 'loader') continue;
    sets.set(report.name, report.applications.flatMap((name) => byName.get(name) ?? []));
  }
  return sets;
}

/** Names of the ApplicationSets whose sets the renderer publishes (those with a git generator). */
export function publishedSetNames(config: TidewaterConfig): string[] {
  return (config.applicationSetReports ?? []).filter((report) => report.evaluatedBy === 'renderer').map((report) => report.name);
}

/**
 * Where a config view keeps each load-time ApplicationSet's last set beyond the process (Redis, through the
 * caller's functions): read once before the first view, written when a set changes (`undefined`: forget it).
 */
export interface LoaderSetMemory {
  /** Every remembered set, also of ApplicationSets no longer configured (they are forgotten then). */
  read: () => Promise<Array<{ applicationSet: string; applications: readonly unknown[] }>>;
  write: (applicationSet: string, applications: readonly ArgoApplication[] | undefined) => Promise<void>;
}

/**
 * A service's config view with the published sets merged in: `refresh()` reads them (a Redis MGET in the
 * caller's `read`) and swaps the view; call it on a timer and after a reload of the base configuration.
 * The view also remembers each load-time ApplicationSet's last set, so a reloaded base honours
 * `applicationsSync` create-only / create-update (an Application whose element vanished is kept, as Argo CD
 * keeps it) and a generator error keeps the previous set. With `memory`, that memory outlives the process: the
 * first refresh reads it back and later refreshes write what changed; without it, a restarted service starts again
 * from the generators' current output.
 */
export function createPublishedConfigView(deps: {
  base: () => TidewaterConfig;
  read: (names: string[]) => Promise<RawPublishedSet[]>;
  memory?: LoaderSetMemory;
}): { current: () => TidewaterConfig; refresh: () => Promise<TidewaterConfig> } {
  let lastRead: RawPublishedSet[] = [];
  let view: TidewaterConfig | undefined;
  let viewOf: TidewaterConfig | undefined;
  let loaderSets = new Map<string, ArgoApplication[]>();
  let memoryLoaded = false;
  /** JSON of each set as last written to (or read from) the memory. */
  const remembered = new Map<string, string>();
  const build = (base: TidewaterConfig) => {
    // The sets of the view being replaced; a set that left the configuration is forgotten (its Applications go).
    const previous = viewOf === base ? loaderSets : new Map([...loaderSets].filter(([name]) => (base.applicationSets ?? []).some((set) => set.metadata.name === name)));
    view = publishedSetNames(base).length === 0 && previous.size === 0 ? base : withPublishedSets(base, lastRead, previous);
    viewOf = base;
    loaderSets = loaderSetsOf(view);
    return view;
  };
  const loadMemory = async (base: TidewaterConfig) => {
    if (!deps.memory || memoryLoaded) return;
    const names = new Set((base.applicationSetReports ?? []).filter((report) => report.evaluatedBy === 'loader').map((report) => report.name));
    for (const set of await deps.memory.read()) {
      if (!names.has(set.applicationSet)) {
        // Left the configuration while no process ran: forgotten at the next save.
        remembered.set(set.applicationSet, '');
        continue;
      }
      const applications = set.applications.flatMap((raw) => {
        const parsed = ArgoApplication.safeParse(raw);
        return parsed.success ? [parsed.data] : [];
      });
      remembered.set(set.applicationSet, JSON.stringify(applications));
      // What this process has seen itself wins over the memory.
      if (!loaderSets.has(set.applicationSet)) loaderSets.set(set.applicationSet, applications);
    }
    memoryLoaded = true;
    viewOf = undefined; // rebuild with the remembered sets as the previous ones
  };
  const saveMemory = async () => {
    if (!deps.memory) return;
    for (const [name, applications] of loaderSets) {
      const json = JSON.stringify(applications);
      if (remembered.get(name) === json) continue;
      await deps.memory.write(name, applications);
      remembered.set(name, json);
    }
    for (const name of [...remembered.keys()]) {
      if (loaderSets.has(name) || (viewOf?.applicationSets ?? []).some((set) => set.metadata.name === name)) continue;
      await deps.memory.write(name, undefined);
      remembered.delete(name);
    }
  };
  return {
    // A reloaded base keeps the sets read last until the next refresh, so generated Applications never blink out.
    current: () => (viewOf === deps.base() && view ? view : build(deps.base())),
    async refresh() {
      const base = deps.base();
      await loadMemory(base);
      const names = publishedSetNames(base);
      const read = names.length === 0 ? [] : await deps.read(names);
      // Same base, same sets: keep the same view object, so consumers that watch for a changed configuration
      // (by identity) see no change every second.
      if (viewOf === base && view && JSON.stringify(read) === JSON.stringify(lastRead)) {
        await saveMemory();
        return view;
      }
      lastRead = read;
      const next = build(base);
      await saveMemory();
      return next;
    },
  };
}
