import { describe, expect, it } from 'vitest';
import { normalizeRepoUrl, sameRepo } from './repo-url.ts';

describe('normalizeRepoUrl', () => {
  it.each([
    ['https://github.com/org/repo', 'github.com/org/repo'],
    ['https://github.com/org/repo.git', 'github.com/org/repo'],
    ['https://github.com/org/repo/', 'github.com/org/repo'],
    ['https://github.com/org/repo.git/', 'github.com/org/repo'],
    ['https://GitHub.COM/org/repo', 'github.com/org/repo'],
    ['http://github.com:80/org/repo', 'github.com/org/repo'],
    ['https://github.com:443/org/repo', 'github.com/org/repo'],
    ['https://x-access-token:ghs_abc@github.com/org/repo.git', 'github.com/org/repo'],
    ['ssh://git@github.com/org/repo.git', 'github.com/org/repo'],
    ['ssh://git@github.com:22/org/repo.git', 'github.com/org/repo'],
    ['git@github.com:org/repo.git', 'github.com/org/repo'],
    ['github.com:org/repo', 'github.com/org/repo'],
    ['git://github.com/org/repo.git', 'github.com/org/repo'],
    ['git://127.0.0.1:9418/org/repo.git', '127.0.0.1:9418/org/repo'],
    ['https://gitea.internal:3000/org/repo', 'gitea.internal:3000/org/repo'],
    ['ssh://git@gitlab.internal:2222/group/sub/repo.git', 'gitlab.internal:2222/group/sub/repo'],
    ['https://github.com/org/repo?ref=main#frag', 'github.com/org/repo'],
    ['  https://github.com/org/repo  ', 'github.com/org/repo'],
    ['file:///srv/git/repo.git', '/srv/git/repo'],
    ['/srv/git/repo.git/', '/srv/git/repo'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeRepoUrl(input)).toBe(expected);
  });

  it('keeps glob characters so AppProject patterns normalise like URLs', () => {
    expect(normalizeRepoUrl('https://github.com/org/*')).toBe('github.com/org/*');
    expect(normalizeRepoUrl('*')).toBe('*');
  });

  it('treats every spelling of one repository as the same repository', () => {
    expect(sameRepo('git@github.com:Org/Repo.git', 'https://github.com/org/repo')).toBe(true);
    expect(sameRepo('https://github.com/org/repo', 'https://github.com/org/repo-two')).toBe(false);
  });
});
