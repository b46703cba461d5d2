/** Kargo subscriptions (Warehouse, or an old Stage's `subscriptions.repos`) → Tidewater freight sources. */
import type { KargoChartSubscription, KargoGitSubscription, KargoImageSubscription } from './kargo-schema.ts';
import type { FreightSource } from './pipeline.ts';

/** A Warehouse (or old Stage) subscription → a freight source; undefined unless exactly one kind is set. */
export function subscriptionSource(
  name: string,
  subscription: { image?: KargoImageSubscription; git?: KargoGitSubscription; chart?: KargoChartSubscription },
  warn: (field: Array<string | number>, detail: string) => void,
): FreightSource | undefined {
  const kinds = (['image', 'git', 'chart'] as const).filter((kind) => subscription[kind] !== undefined);
  if (kinds.length !== 1) return undefined;
  const { image, git, chart } = subscription;
  if (image) {
    const strategy = { SemVer: 'semver', Lexical: 'alphabetical', NewestBuild: 'newest-build', Digest: 'digest' } as const;
    const allow = [...(image.allowTags ? [image.allowTags] : []), ...(image.allowTagsRegexes ?? [])];
    return {
      name,
      image: {
        repoURL: image.repoURL,
        strategy: strategy[image.imageSelectionStrategy ?? 'SemVer'],
        ...(image.constraint ?? image.semverConstraint ? { constraint: image.constraint ?? image.semverConstraint } : {}),
        ...(allow.length > 0 ? { allowTags: allow.length === 1 ? allow[0] : allow.map((pattern) => `(?:${pattern})`).join('|') } : {}),
        ...(image.ignoreTags ? { ignoreTags: image.ignoreTags } : {}),
      },
    };
  }
  if (git) {
    const strategy = git.commitSelectionStrategy ?? 'NewestFromBranch';
    if (strategy === 'Lexical' || strategy === 'NewestTag') warn(['git', 'commitSelectionStrategy'], `${strategy} is not supported: tags are selected by semverConstraint, commits by branch`);
    return {
      name,
      git: {
        repoURL: git.repoURL,
        ...(git.branch ? { branch: git.branch } : {}),
        ...(git.semverConstraint ? { semverConstraint: git.semverConstraint } : {}),
        ...(git.includePaths ? { includePaths: git.includePaths } : {}),
        ...(git.excludePaths ? { excludePaths: git.excludePaths } : {}),
      },
    };
  }
  if (chart) return { name, chart: { repoURL: chart.repoURL, ...(chart.name ? { name: chart.name } : {}), ...(chart.semverConstraint ? { semverConstraint: chart.semverConstraint } : {}) } };
  return undefined;
}
