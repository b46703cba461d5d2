import { describe, it, expect } from 'vitest';
import { WebhookSignatureError, PayloadError } from '../errors/http-errors.ts';
import { createGitProviderAdapters } from './adapters.ts';
import {
  bitbucketHeaders, bitbucketPushPayload, giteaHeaders, giteaPushPayload, githubHeaders, githubPushPayload,
  gitlabHeaders, gitlabPushPayload, sha, zeroSha,
} from './fixtures/push-payloads.ts';

const adapters = createGitProviderAdapters();
const context = { deliveryId: 'delivery-1', repoUrls: ['example.com/acme/platform'] };

describe('signature checks', () => {
  const body = JSON.stringify(githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/heads/main', after: sha('one'), commits: [{ id: sha('one') }] }));
  const raw = Buffer.from(body);

  it('GitHub: returns exactly the secrets that signed the body', async () => {
    const headers = await githubHeaders(body, 'new-secret');
    expect(await adapters.github.verifiedSecrets(raw, headers, ['old-secret', 'new-secret', 'other'])).toEqual(['new-secret']);
    expect(await adapters.github.verifiedSecrets(Buffer.from(`${body} `), headers, ['new-secret'])).toEqual([]);
  });

  it('GitHub: a missing signature is refused', async () => {
    await expect(adapters.github.verifiedSecrets(raw, await githubHeaders(body, undefined), ['s'])).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it('Gitea: bare hex X-Gitea-Signature, or the X-Hub-Signature-256 copy alone', async () => {
    const headers = giteaHeaders(body, 'gitea-secret');
    expect(await adapters.gitea.verifiedSecrets(raw, headers, ['x', 'gitea-secret'])).toEqual(['gitea-secret']);
    const hubOnly = { 'x-hub-signature-256': headers['x-hub-signature-256'] };
    expect(await adapters.gitea.verifiedSecrets(raw, hubOnly, ['gitea-secret'])).toEqual(['gitea-secret']);
    await expect(adapters.gitea.verifiedSecrets(raw, {}, ['gitea-secret'])).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it('GitLab: the token is compared with each secret', async () => {
    expect(await adapters.gitlab.verifiedSecrets(raw, gitlabHeaders('tok-2'), ['tok-1', 'tok-2'])).toEqual(['tok-2']);
    expect(await adapters.gitlab.verifiedSecrets(raw, gitlabHeaders('tok-22'), ['tok-2'])).toEqual([]);
    await expect(adapters.gitlab.verifiedSecrets(raw, gitlabHeaders(undefined), ['tok-2'])).rejects.toBeInstanceOf(WebhookSignatureError);
  });

  it('Bitbucket: sha256=<hex> in X-Hub-Signature', async () => {
    expect(await adapters.bitbucket.verifiedSecrets(raw, bitbucketHeaders(body, 'bb'), ['bb'])).toEqual(['bb']);
    await expect(adapters.bitbucket.verifiedSecrets(raw, { 'x-hub-signature': 'sha1=abc' }, ['bb'])).rejects.toBeInstanceOf(WebhookSignatureError);
  });
});

describe('GitHub push normalisation', () => {
  it('unions the added, modified and removed paths of every commit', () => {
    const payload = githubPushPayload({
      owner: 'acme', name: 'platform', ref: 'refs/heads/main', after: sha('b'),
      commits: [{ id: sha('a'), added: ['apps/web/a.yaml'], modified: ['apps/web/b.yaml'] }, { id: sha('b'), removed: ['apps/api/c.yaml'], modified: ['apps/web/b.yaml'] }],
    });
    const [push] = adapters.github.normalisePushes(payload, context);
    expect(push).toMatchObject({
      provider: 'github', deliveryId: 'delivery-1', repoUrls: context.repoUrls, ref: 'refs/heads/main', branch: 'main',
      after: sha('b'), revision: sha('b'), deleted: false, defaultBranch: 'main', actor: 'dana',
      headCommit: { id: sha('b'), author: 'dana' },
    });
    expect(push.changedPaths?.sort()).toEqual(['apps/api/c.yaml', 'apps/web/a.yaml', 'apps/web/b.yaml']);
    expect(push.tag).toBeUndefined();
  });

  it.each([
    ['no commits listed (a new branch at an existing commit)', { commits: [] }],
    ['a force push', { forced: true, commits: [{ id: sha('f'), modified: ['apps/web/a.yaml'] }] }],
    ['a full commit list (2048: maybe truncated)', { commits: Array.from({ length: 2048 }, (_, i) => ({ id: sha(`c${i}`), modified: ['x'] })) }],
  ])('paths are unknown for %s', (_title, options) => {
    const payload = githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/heads/main', after: sha('z'), ...options });
    expect(adapters.github.normalisePushes(payload, context)[0].changedPaths).toBeUndefined();
  });

  it('renders the tagged commit of an annotated tag, not the tag object', () => {
    const payload = githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/tags/v1.2.0', after: sha('tag-object'), headCommitId: sha('tagged') });
    const [push] = adapters.github.normalisePushes(payload, context);
    expect(push).toMatchObject({ tag: 'v1.2.0', after: sha('tag-object'), revision: sha('tagged'), changedPaths: undefined });
  });

  it('marks a branch deletion', () => {
    const payload = githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/heads/old', after: zeroSha });
    expect(adapters.github.normalisePushes(payload, context)[0].deleted).toBe(true);
  });

  it('refuses a push without ref or after', () => {
    expect(() => adapters.github.normalisePushes({ after: sha('x') }, context)).toThrow(PayloadError);
    expect(() => adapters.github.normalisePushes({ ref: 'refs/heads/main' }, context)).toThrow(PayloadError);
  });

  it('reads the repository identifiers', () => {
    const payload = githubPushPayload({ owner: 'acme', name: 'platform', ref: 'refs/heads/main', after: sha('x') });
    expect(adapters.github.repositoryIdentifiers(payload)).toEqual({
      urls: ['https://github.com/acme/platform.git', 'git@github.com:acme/platform.git', 'https://github.com/acme/platform', 'git://github.com/acme/platform.git'],
      fullNames: ['acme/platform'],
    });
  });
});

describe('Gitea push normalisation', () => {
  it('follows GitHub, with total_commits marking a truncated list', () => {
    const complete = giteaPushPayload({ owner: 'acme', name: 'deploy', ref: 'refs/heads/main', after: sha('g'), commits: [{ id: sha('g'), added: ['k8s/a.yaml'] }] });
    expect(adapters.gitea.normalisePushes(complete, context)[0]).toMatchObject({ provider: 'gitea', changedPaths: ['k8s/a.yaml'], branch: 'main' });
    const truncated = giteaPushPayload({ owner: 'acme', name: 'deploy', ref: 'refs/heads/main', after: sha('g'), commits: [{ id: sha('g'), added: ['k8s/a.yaml'] }], totalCommits: 9 });
    expect(adapters.gitea.normalisePushes(truncated, context)[0].changedPaths).toBeUndefined();
  });
});

describe('GitLab push normalisation', () => {
  it('reads paths, actor, default branch and the head commit', () => {
    const payload = gitlabPushPayload({ pathWithNamespace: 'acme/infra', ref: 'refs/heads/main', after: sha('l2'), commits: [{ id: sha('l1'), added: ['web/a.yaml'] }, { id: sha('l2'), removed: ['web/b.yaml'] }] });
    const [push] = adapters.gitlab.normalisePushes(payload, context);
    expect(push).toMatchObject({ provider: 'gitlab', branch: 'main', revision: sha('l2'), actor: 'dana', defaultBranch: 'main', headCommit: { id: sha('l2'), author: 'Dana Dev' } });
    expect(push.changedPaths?.sort()).toEqual(['web/a.yaml', 'web/b.yaml']);
  });

  it('treats paths as unknown when total_commits_count exceeds the listed commits', () => {
    const payload = gitlabPushPayload({ pathWithNamespace: 'acme/infra', ref: 'refs/heads/main', after: sha('l2'), commits: [{ id: sha('l2'), added: ['web/a.yaml'] }], totalCommitsCount: 21 });
    expect(adapters.gitlab.normalisePushes(payload, context)[0].changedPaths).toBeUndefined();
  });

  it('renders checkout_sha for a tag push', () => {
    const payload = gitlabPushPayload({ pathWithNamespace: 'acme/infra', ref: 'refs/tags/v2', after: sha('tag-object'), checkoutSha: sha('tagged') });
    expect(adapters.gitlab.normalisePushes(payload, context)[0]).toMatchObject({ tag: 'v2', revision: sha('tagged'), changedPaths: undefined });
  });

  it('classifies Push Hook and Tag Push Hook as pushes, the rest as ignored', () => {
    expect(adapters.gitlab.eventKind('Push Hook')).toBe('push');
    expect(adapters.gitlab.eventKind('Tag Push Hook')).toBe('push');
    expect(adapters.gitlab.eventKind('Merge Request Hook')).toBe('ignored');
  });

  it('prefers Idempotency-Key over the event UUID for dedupe', () => {
    expect(adapters.gitlab.deliveryId(gitlabHeaders('t', 'Push Hook', 'uuid-1', 'idem-1'))).toBe('idem-1');
    expect(adapters.gitlab.deliveryId(gitlabHeaders('t', 'Push Hook', 'uuid-1'))).toBe('uuid-1');
  });
});

describe('Bitbucket push normalisation', () => {
  it('makes one push per change, with unknown paths, and marks deletions', () => {
    const payload = bitbucketPushPayload('acme/fleet', [
      { type: 'branch', name: 'main', oldHash: sha('m0'), newHash: sha('m1') },
      { type: 'tag', name: 'v3', newHash: sha('t1') },
      { type: 'branch', name: 'gone', oldHash: sha('g0') },
    ]);
    const pushes = adapters.bitbucket.normalisePushes(payload, context);
    expect(pushes.map((push) => [push.ref, push.revision, push.deleted, push.changedPaths])).toEqual([
      ['refs/heads/main', sha('m1'), false, undefined],
      ['refs/tags/v3', sha('t1'), false, undefined],
      ['refs/heads/gone', zeroSha, true, undefined],
    ]);
    expect(pushes[0]).toMatchObject({ actor: 'Dana Dev', before: sha('m0'), headCommit: { id: sha('m1'), author: 'Dana Dev' } });
    expect(adapters.bitbucket.repositoryIdentifiers(payload)).toEqual({ urls: ['https://bitbucket.org/acme/fleet'], fullNames: ['acme/fleet'] });
  });
});
