import { normalizeRepoUrl, type Repository } from '@tidewater/config';
import type { RepositoryIdentifiers } from '../providers/provider-adapter.ts';

/** normalizeRepoUrl, or undefined for a string it cannot read (payloads are untrusted). */
export function safeNormalizeRepoUrl(url: string): string | undefined {
  try {
    return normalizeRepoUrl(url);
  } catch {
    return undefined;
  }
}

/**
 * The repository path of a Git URL, lower-cased, without `.git`: `https://github.com/Org/Repo.git`,
 * `git@github.com:org/repo` and `ssh://git@host:22/org/repo.git` all give `org/repo`.
 */
export function repositoryPathOf(url: string): string | undefined {
  const trimmed = url.trim();
  let path: string;
  const scpLike = /^[^/@:]+@[^/:]+:(?!\/\/)(.+)$/.exec(trimmed);
  if (scpLike) {
    path = scpLike[1];
  } else {
    try {
      path = new URL(trimmed).pathname;
    } catch {
      return undefined;
    }
  }
  const cleaned = decodeURIComponent(path).replace(/^\/+|\/+$/g, '').replace(/\.git$/i, '').toLowerCase();
  return cleaned.length > 0 ? cleaned : undefined;
}

/** The payload's URLs, normalised; unreadable ones are dropped. */
export function normalisedPayloadUrls(identifiers: RepositoryIdentifiers): string[] {
  const urls = identifiers.urls.map(safeNormalizeRepoUrl).filter((url): url is string => url !== undefined);
  return [...new Set(urls)];
}

/**
 * Repository documents the payload names: by a normalised clone/web URL, or by its `owner/name` path
 * (used when the payload's URLs differ in form, e.g. Bitbucket gives only a web URL and a full name).
 */
export function matchingRepositories(repositories: readonly Repository[], identifiers: RepositoryIdentifiers): Repository[] {
  const payloadUrls = new Set(normalisedPayloadUrls(identifiers));
  const payloadPaths = new Set(identifiers.fullNames.map((name) => name.replace(/^\/+|\/+$/g, '').replace(/\.git$/i, '').toLowerCase()));
  return repositories.filter((repository) => {
    const { url, path } = repositoryNamesOf(repository);
    if (url !== undefined && payloadUrls.has(url)) return true;
    return path !== undefined && payloadPaths.has(path);
  });
}

/** A Repository's normalised URL (undefined when unreadable), computed once per document. */
export function normalisedRepositoryUrl(repository: Repository): string | undefined {
  return repositoryNamesOf(repository).url;
}

// Configurations are replaced, never changed in place: a document's names are computed once.
const repositoryNames = new WeakMap<Repository, { url: string | undefined; path: string | undefined }>();

function repositoryNamesOf(repository: Repository): { url: string | undefined; path: string | undefined } {
  let names = repositoryNames.get(repository);
  if (names === undefined) {
    names = { url: safeNormalizeRepoUrl(repository.spec.url), path: repositoryPathOf(repository.spec.url) };
    repositoryNames.set(repository, names);
  }
  return names;
}
