/** Finding the Applications a translated stage updates, from what the peer tool's documents say about them. */
import type { ArgoApplication } from '../schema/application.ts';
import { sameRepo } from '../repo-url.ts';

/** `./env/dev/` → `env/dev`; `.` and `` → `` (the repository root). */
export function normalisePath(path: string): string {
  const trimmed = path.trim().replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  return trimmed === '.' ? '' : trimmed;
}

/** Applications whose source is `path` of `repoURL`. */
export function applicationsAtPath(applications: readonly ArgoApplication[], repoURL: string, path: string): string[] {
  const wanted = normalisePath(path);
  return applications
    .filter((application) => application.spec.source && sameRepo(application.spec.source.repoURL, repoURL) && normalisePath(application.spec.source.path ?? '') === wanted)
    .map((application) => application.metadata.name);
}

/** Applications tracking `branch` (their targetRevision) of `repoURL`, or of any repository when repoURL is undefined. */
export function applicationsOnBranch(applications: readonly ArgoApplication[], repoURL: string | undefined, branch: string): string[] {
  const wanted = branch.replace(/^refs\/heads\//, '');
  return applications
    .filter((application) => {
      const source = application.spec.source;
      if (!source || (repoURL !== undefined && !sameRepo(source.repoURL, repoURL))) return false;
      return (source.targetRevision ?? 'HEAD').replace(/^refs\/heads\//, '') === wanted;
    })
    .map((application) => application.metadata.name);
}

/** Applications annotated `kargo.akuity.io/authorized-stage: <project>:<stage>` (Kargo's own link). */
export function applicationsAuthorizedFor(applications: readonly ArgoApplication[], project: string, stage: string): string[] {
  return applications
    .filter((application) => application.metadata.annotations?.['kargo.akuity.io/authorized-stage'] === `${project}:${stage}`)
    .map((application) => application.metadata.name);
}
