import { existsSync, readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { permanent } from '../errors/permanent.ts';
import { isRemoteReference, kustomizationReferences, type Kustomization } from '../source-paths/kustomize-source-paths.ts';
import { kustomizationFileIn } from './kustomize.ts';
import { absoluteIn, assertInsideRepo, joinRepoPath, repoRelative } from './repo-paths.ts';

export interface KustomizeReferencePolicy {
  repoRoot: string;
  /** Repo-relative app path (the kustomization the render builds). */
  appPath: string;
  /** The Repository's `spec.allowRemoteBases`. */
  allowRemoteBases: boolean;
  /** For messages: `repository <url> commit <sha>`. */
  origin: string;
}

/**
 * Refuses a kustomization (and every kustomization it reaches) that names a path outside the repository
 * (`../../..`, an absolute path) or, unless the Repository sets `allowRemoteBases`, anything kustomize would fetch
 * from the network (`github.com/...`, `https://...`, `git::`, `ssh://`): kustomize would otherwise read the host's
 * files or another repository into the bundle. A reference that is not in the repository is treated as remote,
 * since that is what kustomize would try next.
 */
export function assertKustomizeReferencesAllowed(policy: KustomizeReferencePolicy): void {
  const visited = new Set<string>();
  const visit = (dirPath: string) => {
    if (visited.has(dirPath)) return;
    visited.add(dirPath);
    const file = kustomizationFileIn(absoluteIn(policy.repoRoot, dirPath));
    if (!file) return;
    const fileLabel = repoRelative(policy.repoRoot, file);
    let kustomization: Kustomization;
    try {
      const parsed: unknown = parseYaml(readFileSync(file, 'utf8'));
      if (typeof parsed !== 'object' || parsed === null) return;
      kustomization = parsed as Kustomization;
    } catch {
      return; // kustomize reports the broken file itself
    }
    const refuse = (reference: string, why: string) => {
      throw permanent(`${policy.origin}: ${fileLabel} references ${JSON.stringify(reference)}, which ${why}; the render is refused`);
    };
    if (kustomization.helmCharts !== undefined || kustomization.helmChartInflationGenerator !== undefined) {
      refuse('helmCharts', 'needs the kustomize Helm inflator (--enable-helm), which the renderer does not enable; render the chart as a Helm source instead');
    }
    for (const reference of kustomizationReferences(kustomization)) {
      if (isRemoteReference(reference)) {
        if (!policy.allowRemoteBases) refuse(reference, 'is a remote base; set spec.allowRemoteBases: true on the Repository to allow remote bases');
        continue;
      }
      if (reference.startsWith('/')) refuse(reference, 'is an absolute path; references must stay inside the repository');
      const repoPath = joinRepoPath(dirPath, reference);
      if (repoPath === undefined) refuse(reference, 'points outside the repository');
      const absolute = absoluteIn(policy.repoRoot, repoPath!);
      if (!existsSync(absolute)) {
        // kustomize tries a reference it cannot find on disk as a remote one.
        if (!policy.allowRemoteBases) refuse(reference, 'is not a file or directory of the repository at this revision (kustomize would try it as a remote base)');
        continue;
      }
      assertInsideRepo(policy.repoRoot, absolute, `${policy.origin}: ${fileLabel} reference ${JSON.stringify(reference)}`);
      if (statSync(absolute).isDirectory()) visit(repoPath!);
    }
  };
  visit(policy.appPath);
}
