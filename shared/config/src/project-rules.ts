import { globMatch, isDenyPattern } from './glob.ts';
import { normalizeRepoUrl } from './repo-url.ts';
import type { AppProject, GroupKind, ProjectDestination } from './schema/app-project.ts';

export interface PermitRequest {
  repoURL?: string;
  /** Pass both server and name when the cluster is known, as Argo CD infers one from the other. */
  destination?: { server?: string; name?: string; namespace?: string };
  resource?: { group: string; kind: string; namespaced: boolean };
}

export type PermitDecision = { allowed: true } | { allowed: false; reason: string };

const allowed: PermitDecision = { allowed: true };

/**
 * Argo CD's AppProject rules: the source repository must match `sourceRepos`, the destination one of
 * `destinations`, and the resource kind the white/blacklists. Only the parts given in the request are checked.
 */
export function projectPermits(project: AppProject, request: PermitRequest): PermitDecision {
  const projectName = project.metadata.name;
  if (request.repoURL !== undefined && !isSourcePermitted(project.spec.sourceRepos ?? [], request.repoURL)) {
    return { allowed: false, reason: `repository ${request.repoURL} is not permitted in project ${projectName} (sourceRepos)` };
  }
  if (request.destination !== undefined && !isDestinationPermitted(project.spec.destinations ?? [], request.destination)) {
    const { server, name, namespace } = request.destination;
    const cluster = server ?? name ?? '(no cluster)';
    return { allowed: false, reason: `destination ${cluster} namespace ${namespace || '(none)'} is not permitted in project ${projectName} (destinations)` };
  }
  if (request.resource !== undefined) {
    const denial = resourceDenial(project, request.resource);
    if (denial) return { allowed: false, reason: `${denial} in project ${projectName}` };
  }
  return allowed;
}

/** Mirrors AppProject.IsSourcePermitted: any match permits, a failing deny pattern forbids. */
function isSourcePermitted(sourceRepos: readonly string[], repoURL: string): boolean {
  const source = normalizeRepoUrl(repoURL);
  let anyMatched = false;
  for (const pattern of sourceRepos) {
    const deny = isDenyPattern(pattern);
    const normalized = deny ? `!${normalizePattern(pattern.slice(1))}` : normalizePattern(pattern);
    const matched = globMatch(normalized, source, { separators: '/' });
    if (matched) anyMatched = true;
    else if (deny) return false;
  }
  return anyMatched;
}

const normalizePattern = (pattern: string) => (pattern === '*' ? pattern : normalizeRepoUrl(pattern));

/** Mirrors AppProject.isDestinationMatched: server or name, and namespace, must match one entry; deny patterns veto. */
function isDestinationPermitted(destinations: readonly ProjectDestination[], destination: NonNullable<PermitRequest['destination']>): boolean {
  let anyMatched = false;
  for (const item of destinations) {
    const nameMatched = !!destination.name && globMatch(item.name ?? '', destination.name);
    const serverMatched = !!destination.server && globMatch(item.server ?? '', destination.server);
    const namespaceMatched = globMatch(item.namespace ?? '', destination.namespace ?? '');
    if ((serverMatched || nameMatched) && namespaceMatched) {
      anyMatched = true;
    } else if (
      (!nameMatched && isDenyPattern(item.name ?? '')) ||
      (!serverMatched && isDenyPattern(item.server ?? '')) ||
      (!namespaceMatched && isDenyPattern(item.namespace ?? ''))
    ) {
      return false;
    }
  }
  return anyMatched;
}

/** Mirrors AppProject.IsGroupKindPermitted; returns why a kind is denied, or undefined. */
function resourceDenial(project: AppProject, resource: NonNullable<PermitRequest['resource']>): string | undefined {
  const { spec } = project;
  const label = `${resource.group || 'core'}/${resource.kind}`;
  if (resource.namespaced) {
    const whitelist = spec.namespaceResourceWhitelist;
    if (whitelist !== undefined && !inList(whitelist, resource)) return `namespaced resource ${label} is not in namespaceResourceWhitelist`;
    if (inList(spec.namespaceResourceBlacklist ?? [], resource)) return `namespaced resource ${label} is in namespaceResourceBlacklist`;
    return undefined;
  }
  if (!inList(spec.clusterResourceWhitelist ?? [], resource)) return `cluster-scoped resource ${label} is not in clusterResourceWhitelist`;
  if (inList(spec.clusterResourceBlacklist ?? [], resource)) return `cluster-scoped resource ${label} is in clusterResourceBlacklist`;
  return undefined;
}

// Argo CD matches group and kind with filepath.Match: globs without negation.
const inList = (list: readonly GroupKind[], resource: { group: string; kind: string }) =>
  list.some((item) => globMatch(item.kind, resource.kind, { separators: '/', negation: false }) && globMatch(item.group, resource.group, { separators: '/', negation: false }));
