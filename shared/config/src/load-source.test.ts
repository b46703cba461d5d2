import { describe, expect, it } from 'vitest';
import { parseConfigSource } from './load-source.ts';

describe('parseConfigSource', () => {
  it('reads a directory or a Git path', () => {
    expect(parseConfigSource('/etc/tidewater/config')).toEqual({ kind: 'dir', dir: '/etc/tidewater/config' });
    expect(parseConfigSource('git::https://git.example.com/platform/gitops.git//tidewater?ref=main')).toEqual({
      kind: 'git', git: { url: 'https://git.example.com/platform/gitops.git', path: 'tidewater', revision: 'main' },
    });
    expect(parseConfigSource('git::git://127.0.0.1:9418/org/repo.git')).toEqual({
      kind: 'git', git: { url: 'git://127.0.0.1:9418/org/repo.git', path: '.', revision: 'HEAD' },
    });
    expect(parseConfigSource('git::ssh://git@github.com/org/repo.git//apps/prod?ref=v1.2.0').kind).toBe('git');
  });
});

describe('loadConfigSource', () => {
  it('loads app-of-apps configuration from a path in a Git repository served over the network', async () => {
    const { startGitServer } = await import('../../../test/harness/src/index.ts');
    const { loadConfigSource } = await import('./load-source.ts');
    const server = await startGitServer();
    try {
      const repo = server.createRepo('platform/gitops');
      await repo.commit({
        'tidewater/web.yaml': [
          'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata: {name: web}', 'spec:',
          '  source: {repoURL: "https://git.example.com/web.git", path: deploy}',
          '  destination: {server: "https://kubernetes.default.svc", namespace: web}', '',
        ].join('\n'),
        'README.md': 'not configuration\n',
      }, 'App of apps');
      const config = await loadConfigSource(`git::${repo.url}//tidewater?ref=main`);
      expect(config.applications.map((app) => app.metadata.name)).toEqual(['web']);
    } finally {
      await server.stop();
    }
  });
});
