import type { ArgoApplication } from '../schema/application.ts';
import type { EvaluationResult } from './evaluate.ts';
import type { ApplicationsSyncPolicy } from './schema.ts';

export interface GenerationGuard {
  /**
   * A previously non-empty set that evaluates to no Application at all is suspicious (a repository
   * read half-way, a label typo): keep the previous set unless this is true. Default false.
   */
  allowEmpty?: boolean;
}

export interface GenerationOutcome {
  /** The Applications the ApplicationSet owns from now on. */
  applications: ArgoApplication[];
  /** True when the previous set was kept because the evaluation failed or looked wrong. */
  keptPrevious: boolean;
  /** Why the previous set was kept, naming the ApplicationSet's problem; undefined on success. */
  problem?: string;
  created: string[];
  updated: string[];
  deleted: string[];
  /** Names the policy kept although the generators no longer produce them (create-only, create-update). */
  retained: string[];
}

const same = (left: ArgoApplication, right: ArgoApplication) => JSON.stringify(left) === JSON.stringify(right);

/**
 * Decides the ApplicationSet's new set from the previous one and an evaluation. A generator error or a
 * suspiciously empty result keeps the previous set (Argo CD #14318, #11464, #18480): deletion needs a
 * successful, non-suspicious evaluation. `applicationsSync` then limits what may change: create-only
 * (add), create-update (add, change), create-delete (add, delete), sync (everything; the default).
 */
export function applyGeneration(
  previous: readonly ArgoApplication[] | undefined,
  result: EvaluationResult,
  policy: ApplicationsSyncPolicy = 'sync',
  guard: GenerationGuard = {},
): GenerationOutcome {
  const before = [...(previous ?? [])];
  const unchanged = (problem: string): GenerationOutcome => ({ applications: before, keptPrevious: true, problem, created: [], updated: [], deleted: [], retained: [] });
  if (!result.ok) return unchanged(`generation failed, previous ${before.length} Application(s) kept: ${result.error}`);
  const generated = result.applications.map((entry) => entry.application);
  if (generated.length === 0 && before.length > 0 && !guard.allowEmpty) {
    return unchanged(`generators returned no Application where there were ${before.length}; previous set kept (a successful non-empty evaluation, or allowEmpty, is needed to delete them)`);
  }
  const previousByName = new Map(before.map((application) => [application.metadata.name, application]));
  const generatedNames = new Set(generated.map((application) => application.metadata.name));
  const mayUpdate = policy === 'sync' || policy === 'create-update';
  const mayDelete = policy === 'sync' || policy === 'create-delete';
  const outcome: GenerationOutcome = { applications: [], keptPrevious: false, created: [], updated: [], deleted: [], retained: [] };
  for (const application of generated) {
    const old = previousByName.get(application.metadata.name);
    if (!old) {
      outcome.created.push(application.metadata.name);
      outcome.applications.push(application);
    } else if (mayUpdate || same(old, application)) {
      if (!same(old, application)) outcome.updated.push(application.metadata.name);
      outcome.applications.push(application);
    } else {
      outcome.applications.push(old);
    }
  }
  for (const old of before) {
    if (generatedNames.has(old.metadata.name)) continue;
    if (mayDelete) outcome.deleted.push(old.metadata.name);
    else {
      outcome.retained.push(old.metadata.name);
      outcome.applications.push(old);
    }
  }
  return outcome;
}

export interface OwnedSet {
  applicationSet: string;
  applications: readonly ArgoApplication[];
}

export interface ConflictResolution {
  /** Applications to add to the configuration, each with its owner. */
  accepted: Array<{ applicationSet: string; application: ArgoApplication }>;
  /** One problem per ApplicationSet involved in a conflict (both sides report it). */
  problems: Map<string, string[]>;
}

/**
 * Two owners for one Application name: both ApplicationSets report it and the existing one is kept: an
 * Application written directly in the configuration, else the ApplicationSet that owned the name before
 * (`previousOwners`), else neither (nothing existed, so nothing is taken away by refusing both).
 */
export function resolveConflicts(sets: readonly OwnedSet[], writtenNames: ReadonlySet<string>, previousOwners: ReadonlyMap<string, string> = new Map()): ConflictResolution {
  const owners = new Map<string, string[]>();
  for (const set of sets) for (const application of set.applications) owners.set(application.metadata.name, [...(owners.get(application.metadata.name) ?? []), set.applicationSet]);
  const problems = new Map<string, string[]>();
  const report = (applicationSet: string, problem: string) => problems.set(applicationSet, [...(problems.get(applicationSet) ?? []), problem]);
  const accepted: ConflictResolution['accepted'] = [];
  for (const set of sets) {
    for (const application of set.applications) {
      const name = application.metadata.name;
      const claimants = owners.get(name) ?? [];
      if (writtenNames.has(name)) {
        report(set.applicationSet, `generates Application ${name}, which the configuration already defines; the existing Application is kept`);
        continue;
      }
      if (claimants.length > 1) {
        const others = claimants.filter((claimant) => claimant !== set.applicationSet);
        const previousOwner = previousOwners.get(name);
        const keep = previousOwner !== undefined && claimants.includes(previousOwner) ? previousOwner : undefined;
        report(set.applicationSet, `Application ${name} is also generated by ApplicationSet ${others.join(', ')}; ${keep ? `the existing one (from ${keep}) is kept` : 'neither is created'}`);
        if (keep !== set.applicationSet) continue;
      }
      accepted.push({ applicationSet: set.applicationSet, application });
    }
  }
  return { accepted, problems };
}
