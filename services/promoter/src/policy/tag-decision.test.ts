import { describe, expect, it } from 'vitest';
import type { ImagePolicy } from '@tidewater/config';
import { bestTag, decideTag } from './tag-decision.ts';

const policy = (overrides: Partial<ImagePolicy> = {}): ImagePolicy => ({
  id: 'argocd:web:app', origin: 'argocd-image-updater', app: 'web', alias: 'app', image: 'ghcr.io/acme/web', strategy: 'semver',
  ignoreTags: [], forceUpdate: false, platforms: [], writeBack: { target: { kind: 'kustomization', path: 'apps/web' } }, ...overrides,
});

describe('tag decisions', () => {
  it('semver: newer within the constraint updates; older, equal or outside does not', () => {
    const semver = policy({ constraint: '>=1.0.0 <2.0.0', allowTags: '^v\\d+\\.\\d+\\.\\d+$', ignoreTags: ['*-rc*'] });
    expect(decideTag(semver, { tag: 'v1.2.0', digest: 'sha256:a' }, { tag: 'v1.1.0' })).toEqual({ update: true, tag: 'v1.2.0', digest: 'sha256:a' });
    expect(decideTag(semver, { tag: 'v1.0.5' }, { tag: 'v1.1.0' })).toMatchObject({ update: false, reason: expect.stringMatching(/not newer/) });
    expect(decideTag(semver, { tag: 'v2.0.0' }, { tag: 'v1.1.0' })).toMatchObject({ update: false, reason: expect.stringMatching(/does not satisfy/) });
    expect(decideTag(semver, { tag: 'latest' }, {})).toMatchObject({ update: false, reason: expect.stringMatching(/allow-tags/) });
    expect(decideTag(semver, { tag: 'v1.3.0-rc1' }, {})).toMatchObject({ update: false, reason: expect.stringMatching(/ignore-tags/) });
    expect(decideTag(semver, { tag: 'v1.1.0' }, { tag: 'v1.1.0' })).toMatchObject({ update: false });
  });

  it('digest follows one tag and updates when its digest moves', () => {
    const digest = policy({ strategy: 'digest', constraint: 'stable' });
    expect(decideTag(digest, { tag: 'stable', digest: 'sha256:b' }, { tag: 'stable', digest: 'sha256:a' })).toMatchObject({ update: true, digest: 'sha256:b' });
    expect(decideTag(digest, { tag: 'stable', digest: 'sha256:a' }, { tag: 'stable', digest: 'sha256:a' })).toMatchObject({ update: false });
    expect(decideTag(digest, { tag: 'other', digest: 'sha256:c' }, {})).toMatchObject({ update: false });
  });

  it('alphabetical, numerical and newest-build', () => {
    expect(decideTag(policy({ strategy: 'alphabetical' }), { tag: '2026-11-02' }, { tag: '2026-11-01' })).toMatchObject({ update: true });
    expect(decideTag(policy({ strategy: 'numerical' }), { tag: '9' }, { tag: '10' })).toMatchObject({ update: false });
    expect(decideTag(policy({ strategy: 'newest-build' }), { tag: 'main-abc' }, { tag: 'main-def' })).toMatchObject({ update: true });
  });

  it('picks the best tag of a listing', () => {
    expect(bestTag(policy({ constraint: '^1.0.0' }), ['v1.0.0', 'v1.10.0', 'v1.9.0', 'v2.0.0', 'latest'])).toBe('v1.10.0');
    expect(bestTag(policy({ strategy: 'numerical' }), ['9', '10', '2'])).toBe('10');
  });
});

describe('Flux ordering options', () => {
  it('filterTags.extract orders by the named group, and the chosen value is the whole tag', () => {
    const byTimestamp = policy({ strategy: 'numerical', allowTags: '^main-[a-f0-9]+-(?<ts>[0-9]+)$', extract: '$ts' });
    const tags = ['main-abc123-1718000300', 'main-fff999-1718000100', 'main-0a0a0a-1718000200', 'feature-x-1799999999', 'latest'];
    expect(bestTag(byTimestamp, tags)).toBe('main-abc123-1718000300');
    expect(decideTag(byTimestamp, { tag: 'main-0a0a0a-1718000200' }, { tag: 'main-fff999-1718000100' })).toMatchObject({ update: true, tag: 'main-0a0a0a-1718000200' });
    // Alphabetically fff999 > 0a0a0a, but the extracted timestamps decide.
    expect(decideTag(byTimestamp, { tag: 'main-fff999-1718000100' }, { tag: 'main-0a0a0a-1718000200' })).toMatchObject({ update: false });
    // Go's ${name} form and a semver extracted from a prefixed tag.
    const semverExtract = policy({ constraint: '>=1.0.0', allowTags: '^release-(?<version>.*)$', extract: '${version}' });
    expect(bestTag(semverExtract, ['release-1.2.0', 'release-1.10.0', 'release-0.9.0', 'v9.0.0'])).toBe('release-1.10.0');
  });

  it('order: desc takes the first value in ascending order (alphabetical and numerical)', () => {
    const alphabeticalDesc = policy({ strategy: 'alphabetical', order: 'desc' });
    expect(bestTag(alphabeticalDesc, ['b', 'a', 'c'])).toBe('a');
    expect(decideTag(alphabeticalDesc, { tag: 'a' }, { tag: 'b' })).toMatchObject({ update: true });
    expect(decideTag(alphabeticalDesc, { tag: 'c' }, { tag: 'b' })).toMatchObject({ update: false, reason: expect.stringMatching(/does not sort before/) });
    const numericalDesc = policy({ strategy: 'numerical', order: 'desc' });
    expect(bestTag(numericalDesc, ['9', '10', '2'])).toBe('2');
    expect(bestTag(policy({ strategy: 'alphabetical', order: 'asc' }), ['b', 'a', 'c'])).toBe('c');
  });
});
