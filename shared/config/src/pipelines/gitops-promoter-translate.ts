/**
 * GitOps Promoter → Pipeline (origin `gitops-promoter`), one per PromotionStrategy, one stage per environment in
 * order. The freight is a commit of the first environment's branch (its Applications are synced to it with
 * `argocd-update`); each later environment is promoted by moving its branch to that commit (`branch-promote`, from the
 * previous environment's branch). Gates:
 * - `proposedCommitStatuses` (strategy-wide and the environment's) → `commitStatus` gates of that environment;
 * - `activeCommitStatuses` → `commitStatus` verifications of that environment (the freight counts as verified there,
 *   and so may move on, once they pass); the key of an ArgoCDCommitStatus (default `argocd-health`) → a `healthy`
 *   verification instead, since Tidewater observes health itself; a TimedCommitStatus key → its soak gates;
 * - TimedCommitStatus `environments[].duration` → a `soak` gate of the next environment (soak counts upstream);
 * - seed 002's `promotionPolicies[].successCondition` → `expression` gates, `approvalRequired` → approval,
 *   `autoPromote` (else `autoMerge`, default true) → autoPromote.
 * An environment's Applications are those whose source tracks its branch (targetRevision) on the strategy's repository;
 * when there are none, or a referenced document is missing, the strategy is warned and not run.
 */
import type { ConfigLocation } from '../errors.ts';
import type { ArgoApplication } from '../schema/application.ts';
import { applicationsOnBranch } from './application-match.ts';
import { parseExpression } from './expression.ts';
import { ArgoCDCommitStatus, PromoterGitRepository, promoterApiVersion, promoterKinds, PromotionStrategy, TimedCommitStatus } from './gitops-promoter-schema.ts';
import { sanitiseName, type ForeignDocument, type LocatedFinding, type Read, type Translation } from './translation.ts';
import type { Gate, PipelineStage } from './pipeline.ts';
import { readForeign } from './read-foreign.ts';

export const isGitopsPromoterDocument = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && (value as { apiVersion?: unknown }).apiVersion === promoterApiVersion &&
  promoterKinds.includes(String((value as { kind?: unknown }).kind));

export function translateGitopsPromoter(documents: readonly ForeignDocument[], applications: readonly ArgoApplication[]): Translation {
  const result: Translation = { pipelines: [], handled: [], errors: [], warnings: [] };
  const strategies: Array<Read<PromotionStrategy>> = [];
  const repositories = new Map<string, Read<PromoterGitRepository>>();
  const timers: Array<Read<TimedCommitStatus>> = [];
  const healthStatuses: Array<Read<ArgoCDCommitStatus>> = [];
  for (const document of documents) {
    if (!isGitopsPromoterDocument(document.value)) continue;
    result.handled.push(document.location);
    const kind = (document.value as { kind: string }).kind;
    const schema = kind === 'PromotionStrategy' ? PromotionStrategy : kind === 'GitRepository' ? PromoterGitRepository : kind === 'TimedCommitStatus' ? TimedCommitStatus : ArgoCDCommitStatus;
    const read = readForeign(schema as typeof PromotionStrategy, document.value, 'GitOps Promoter');
    for (const finding of read.warnings) result.warnings.push({ ...finding, location: document.location });
    for (const finding of read.errors) result.errors.push({ ...finding, location: document.location });
    if (!read.value) continue;
    const location = document.location;
    if (kind === 'PromotionStrategy') strategies.push({ value: read.value, location });
    else if (kind === 'GitRepository') repositories.set(read.value.metadata.name, { value: read.value as unknown as PromoterGitRepository, location });
    else if (kind === 'TimedCommitStatus') timers.push({ value: read.value as unknown as TimedCommitStatus, location });
    else healthStatuses.push({ value: read.value as unknown as ArgoCDCommitStatus, location });
  }
  const strategyNames = new Set(strategies.map((strategy) => strategy.value.metadata.name));
  for (const reference of [...timers, ...healthStatuses]) {
    const name = reference.value.spec.promotionStrategyRef.name;
    if (!strategyNames.has(name)) result.warnings.push({ location: reference.location, path: ['spec', 'promotionStrategyRef', 'name'], detail: `PromotionStrategy ${name} is not defined in this configuration: ignored` });
  }
  for (const strategy of strategies) {
    const forStrategy = <T extends { spec: { promotionStrategyRef: { name: string } } }>(list: ReadonlyArray<Read<T>>) =>
      list.filter((item) => item.value.spec.promotionStrategyRef.name === strategy.value.metadata.name);
    translateStrategy(strategy, repositories, forStrategy(timers), forStrategy(healthStatuses), applications, result);
  }
  return result;
}

function translateStrategy(
  { value: strategy, location }: Read<PromotionStrategy>, repositories: ReadonlyMap<string, Read<PromoterGitRepository>>,
  timers: ReadonlyArray<Read<TimedCommitStatus>>, healthStatuses: ReadonlyArray<Read<ArgoCDCommitStatus>>, applications: readonly ArgoApplication[], result: Translation,
): void {
  const name = strategy.metadata.name;
  const errorCount = result.errors.length;
  const warning = (at: ConfigLocation, path: Array<string | number>, detail: string) => result.warnings.push({ location: at, path, detail } satisfies LocatedFinding);
  const error = (at: ConfigLocation, path: Array<string | number>, detail: string) => result.errors.push({ location: at, path, detail });
  let blocked = false;

  let repoURL: string | undefined;
  const reference = strategy.spec.gitRepositoryRef?.name;
  if (reference !== undefined) {
    const repository = repositories.get(reference);
    if (repository?.value.spec.scmProviderRef) {
      warning(repository.location, ['spec', 'scmProviderRef'], 'is not used: the promoter pushes with the credentials of the Tidewater Repository document for this URL');
    }
    if (!repository) {
      blocked = true;
      warning(location, ['spec', 'gitRepositoryRef', 'name'], `GitRepository ${reference} is not defined in this configuration: the strategy is not run as a pipeline`);
    } else {
      repoURL = repositoryUrl(repository.value);
      if (!repoURL) {
        blocked = true;
        warning(repository.location, ['spec'], 'names no github or gitlab repository Tidewater can address: the strategies using it are not run');
      }
    }
  }

  const environments = strategy.spec.environments;
  const stageNames = stageNamesOf(environments.map((environment) => environment.name ?? environment.branch));
  const healthKeys = new Set(healthStatuses.length > 0 ? healthStatuses.map((status) => status.value.spec.key ?? 'argocd-health') : ['argocd-health']);
  const timerKeys = new Set(timers.map((timer) => timer.value.spec.key ?? 'timer'));
  const branches = environments.map((environment) => environment.branch);
  environments.forEach((environment, index) => {
    if (branches.indexOf(environment.branch) !== index) error(location, ['spec', 'environments', index, 'branch'], `duplicate environment branch ${environment.branch}`);
  });

  const sourceFields = new Map<string, Array<string | number>>();
  const stages: PipelineStage[] = environments.map((environment, index) => {
    const at = (...path: Array<string | number>) => ['spec', 'environments', index, ...path];
    const stageName = stageNames[index];
    const matched = applicationsOnBranch(applications, repoURL, environment.branch);
    if (matched.length === 0) {
      blocked = true;
      warning(location, at('branch'), `no Application tracks branch ${environment.branch}${repoURL ? ' of the strategy\'s repository' : ''} (spec.source.targetRevision): the strategy is not run as a pipeline`);
    }
    const gates: Gate[] = [];
    const verification: Gate[] = [];
    for (const { key } of [...(strategy.spec.proposedCommitStatuses ?? []), ...(environment.proposedCommitStatuses ?? [])]) gates.push({ type: 'commitStatus', key });
    for (const { key } of [...(strategy.spec.activeCommitStatuses ?? []), ...(environment.activeCommitStatuses ?? [])]) {
      if (healthKeys.has(key)) verification.push({ type: 'healthy', name: key });
      else if (!timerKeys.has(key)) verification.push({ type: 'commitStatus', key });
    }
    environment.promotionPolicies?.forEach((policy, position) => {
      const parsed = parseExpression(policy.successCondition);
      if (!parsed.ok) error(location, at('promotionPolicies', position, 'successCondition'), parsed.error);
      sourceFields.set(`spec.stages[${index}].gates[${gates.length}].expression`, at('promotionPolicies', position, 'successCondition'));
      gates.push({ type: 'expression', ...(policy.name ? { name: policy.name } : {}), expression: policy.successCondition });
    });
    const autoPromote = environment.autoPromote ?? environment.autoMerge ?? true;
    if (environment.autoPromote !== undefined && environment.autoMerge !== undefined && environment.autoPromote !== environment.autoMerge) {
      warning(location, at('autoMerge'), 'is ignored: autoPromote is also set and differs');
    }
    const previous = index > 0 ? environments[index - 1] : undefined;
    return {
      name: stageName,
      applications: matched,
      freightFrom: previous ? { stages: [stageNames[index - 1]] } : { sources: [sourceName(environment.branch)] },
      autoPromote,
      ...(gates.length > 0 ? { gates } : {}),
      ...(verification.length > 0 ? { verification } : {}),
      ...(environment.approvalRequired ? { approval: {} } : {}),
      // The first environment's branch is where freight appears: nothing to move, its Applications are synced to it.
      // Later environments move their branch.
      steps: previous
        ? [{ uses: 'branch-promote' as const, config: { repoURL: '', sourceBranch: previous.branch, targetBranch: environment.branch } }]
        : [{ uses: 'argocd-update' as const, config: { apps: matched.map((application) => ({ name: application })) } }],
    };
  });

  for (const timer of timers) {
    timer.value.spec.environments.forEach((timed, position) => {
      const index = branches.indexOf(timed.branch);
      const field = ['spec', 'environments', position, 'branch'];
      if (index === -1) warning(timer.location, field, `branch ${timed.branch} is not an environment of PromotionStrategy ${name}: ignored`);
      else if (index === stages.length - 1) warning(timer.location, field, `branch ${timed.branch} is the last environment of PromotionStrategy ${name}: no later environment waits for it, ignored`);
      else stages[index + 1].gates = [...(stages[index + 1].gates ?? []), { type: 'soak', name: timer.value.spec.key ?? 'timer', duration: timed.duration }];
    });
  }

  // The repository: the strategy's, else the one the first environment's Applications track (seed 002 names none).
  if (!repoURL && !blocked) {
    const tracked = new Set(stages[0].applications.map((application) => applications.find((candidate) => candidate.metadata.name === application)?.spec.source?.repoURL).filter((url): url is string => url !== undefined));
    if (tracked.size !== 1) {
      blocked = true;
      warning(location, ['spec', 'gitRepositoryRef'], `is needed: the Applications of environment ${environments[0].branch} track ${tracked.size} repositories; the strategy is not run as a pipeline`);
    } else repoURL = [...tracked][0];
  }
  if (blocked || result.errors.length > errorCount || !repoURL) return;
  for (const stage of stages) for (const step of stage.steps ?? []) if (step.uses === 'branch-promote' && step.config) step.config.repoURL = repoURL;
  result.pipelines.push({
    name,
    spec: { sources: [{ name: sourceName(environments[0].branch), git: { repoURL, branch: environments[0].branch } }], stages },
    location,
    stageLocations: stages.map(() => location),
    sourceFields,
  });
}

function repositoryUrl(repository: PromoterGitRepository): string | undefined {
  const { github, gitlab } = repository.spec;
  if (github) return `https://${github.domain ?? 'github.com'}/${github.owner}/${github.name}`;
  if (gitlab) return `https://${gitlab.domain ?? 'gitlab.com'}/${gitlab.namespace}/${gitlab.name}`;
  return undefined;
}

/** Stage names from environment names or branches (`environment/dev` → `dev`), unique and RFC 1123. */
function stageNamesOf(labels: readonly string[]): string[] {
  const short = labels.map((label) => sanitise(label.slice(label.lastIndexOf('/') + 1)));
  if (new Set(short).size === short.length) return short;
  return labels.map((label) => sanitise(label));
}

const sourceName = (branch: string) => `branch-${sanitise(branch)}`;
const sanitise = (name: string) => sanitiseName(name, 'environment');
