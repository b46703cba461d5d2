import { describe, it, expect } from 'vitest';
import type { Repository } from '@tidewater/config';
import { matchingRepositories, repositoryPathOf } from './repository-match.ts';

function repository(name: string, url: string): Repository {
  return { apiVersion: 'tidewater.dev/v1alpha1', kind: 'Repository', metadata: { name }, spec: { url } };
}

describe('repositoryPathOf', () => {
  it.each([
    ['https://github.com/Acme/Platform.git', 'acme/platform'],
    ['https://github.com/acme/platform/', 'acme/platform'],
    ['git@github.com:acme/platform.git', 'acme/platform'],
    ['ssh://git@gitlab.example.com:2222/group/sub/infra.git', 'group/sub/infra'],
    ['https://bitbucket.org/acme/fleet', 'acme/fleet'],
    ['not a url', undefined],
  ])('%s → %s', (url, expected) => {
    expect(repositoryPathOf(url)).toBe(expected);
  });
});

describe('matchingRepositories', () => {
  const platform = repository('platform', 'git@github.com:acme/platform.git');
  const fleet = repository('fleet', 'git@bitbucket.org:acme/fleet.git');
  const other = repository('other', 'https://github.com/acme/other');

  it('matches any normalised URL form of the payload', () => {
    expect(matchingRepositories([platform, other], { urls: ['https://github.com/ACME/platform.git'], fullNames: [] })).toEqual([platform]);
  });

  it('matches by full name when the payload only names a web URL of another form', () => {
    expect(matchingRepositories([platform, fleet], { urls: ['https://bitbucket.org/acme/fleet-web'], fullNames: ['acme/fleet'] })).toEqual([fleet]);
  });

  it('matches nothing for an unknown repository', () => {
    expect(matchingRepositories([platform, fleet, other], { urls: ['https://github.com/acme/unknown'], fullNames: ['acme/unknown'] })).toEqual([]);
  });
});
