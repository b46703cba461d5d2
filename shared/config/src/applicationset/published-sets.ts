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
 * reports) decides conflicts, so a new claimant never takes an existing Application away.
 */
export function withPublishedSets(config: TidewaterConfig, published: readonly RawPublishedSet[]): TidewaterConfig {
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
  );
  for (const report of generated.reports) report.problems.unshift(...(problems.get(report.name) ?? []));
  const merged = { ...config, applications: generated.applications, applicationSetReports: generated.reports };
  return { ...merged, imagePolicies: withGeneratedImagePolicies(merged).policies };
}

/** Names of the ApplicationSets whose sets the renderer publishes (those with a git generator). */
export function publishedSetNames(config: TidewaterConfig): string[] {
  return (config.applicationSetReports ?? []).filter((report) => report.evaluatedBy === 'renderer').map((report) => report.name);
}

/**
 * A service's config view with the published sets merged in: `refresh()` reads them (a Redis MGET in the
 * caller's `read`) and swaps the view; call it on a timer and after a reload of the base configuration.
 */
export function createPublishedConfigView(deps: {
  base: () => TidewaterConfig;
  read: (names: string[]) => Promise<RawPublishedSet[]>;
}): { current: () => TidewaterConfig; refresh: () => Promise<TidewaterConfig> } {
  let lastRead: RawPublishedSet[] = [];
  let view: TidewaterConfig | undefined;
  let viewOf: TidewaterConfig | undefined;
  const build = (base: TidewaterConfig) => {
    view = publishedSetNames(base).length === 0 ? base : withPublishedSets(base, lastRead);
    viewOf = base;
    return view;
  };
  return {
    // A reloaded base keeps the sets read last until the next refresh, so generated Applications never blink out.
    current: () => (viewOf === deps.base() && view ? view : build(deps.base())),
    async refresh() {
      const base = deps.base();
      const names = publishedSetNames(base);
      const read = names.length === 0 ? [] : await deps.read(names);
      // Same base, same sets: keep the same view object, so consumers that watch for a changed configuration
      // (by identity) see no change every second.
      if (viewOf === base && view && JSON.stringify(read) === JSON.stringify(lastRead)) return view;
      lastRead = read;
      return build(base);
    },
  };
}
