import { describe, expect, it } from 'vitest';
import { checkStepConfig } from './step-config.ts';

describe('git-open-pr / git-wait-for-pr forge settings in the step config', () => {
  const forge = { provider: 'gitea', apiURL: 'https://gitea.example.com/api/v1', tokenRef: { env: 'TIDEWATER_SECRET_GITEA' } };

  it('accepts provider, apiURL and tokenRef together, or none of them (borrowed from an image policy)', () => {
    expect(checkStepConfig('git-open-pr', { repoURL: 'https://gitea.example.com/org/shop.git', sourceBranch: 'promote/prod', ...forge })).toEqual([]);
    expect(checkStepConfig('git-wait-for-pr', { repoURL: 'https://gitea.example.com/org/shop.git', prNumber: '${{ outputs.open.pr.id }}', timeout: '2m', ...forge })).toEqual([]);
    expect(checkStepConfig('git-open-pr', { repoURL: 'https://gitea.example.com/org/shop.git', sourceBranch: 'promote/prod' })).toEqual([]);
  });

  it('names the missing half of the forge settings, and refuses an inline token without echoing it', () => {
    expect(checkStepConfig('git-open-pr', { repoURL: 'r', sourceBranch: 's', provider: 'gitea', tokenRef: { env: 'TIDEWATER_SECRET_GITEA' } })).toEqual([
      { path: ['apiURL'], detail: 'is required with tokenRef (the step names its forge with provider, apiURL and tokenRef together)' },
    ]);
    expect(checkStepConfig('git-wait-for-pr', { repoURL: 'r', prNumber: 3, apiURL: 'https://gitea.example.com/api/v1', tokenRef: { env: 'TIDEWATER_SECRET_GITEA' } })).toEqual([
      { path: ['provider'], detail: 'is required with apiURL and tokenRef (github, gitlab or gitea)' },
    ]);
    const inline = checkStepConfig('git-open-pr', { repoURL: 'r', sourceBranch: 's', ...forge, tokenRef: 'ghp_inline-secret-value' });
    expect(inline.map((problem) => problem.path)).toEqual([['tokenRef']]);
    expect(JSON.stringify(inline)).not.toContain('ghp_inline-secret-value');
  });
});

describe('git-clone checkouts', () => {
  it('accepts a branch (create: true makes it when missing), a tag or a commit; refuses two at once and create on a tag', () => {
    expect(checkStepConfig('git-clone', { repoURL: 'r', checkout: [{ branch: 'stage/prod', create: true, path: './out' }, { tag: 'v1.0.0', path: './src' }, { commit: 'abc1234', path: './c' }] })).toEqual([]);
    expect(checkStepConfig('git-clone', { repoURL: 'r', checkout: [{ branch: 'main', tag: 'v1.0.0', path: './src' }] })).toEqual([
      { path: ['checkout', 0, 'tag'], detail: 'only one of branch, commit and tag (found branch and tag)' },
    ]);
    expect(checkStepConfig('git-clone', { repoURL: 'r', checkout: [{ tag: 'v1.0.0', create: true, path: './src' }] })).toEqual([
      { path: ['checkout', 0, 'create'], detail: 'applies to a branch checkout only' },
    ]);
  });
});
