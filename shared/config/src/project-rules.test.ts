import { describe, expect, it } from 'vitest';
import { globMatch } from './glob.ts';
import { projectPermits, type PermitRequest } from './project-rules.ts';
import { AppProject, defaultAppProject } from './schema/app-project.ts';

const project = (spec: Record<string, unknown>): AppProject =>
  AppProject.parse({ apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'team-a' }, spec });

const inCluster = 'https://kubernetes.default.svc';

describe('globMatch', () => {
  it.each([
    ['*', 'anything/at/all', {}, true],
    ['app-*', 'app-web', {}, true],
    ['app-*', 'web-app', {}, false],
    ['https://*.example.com', 'https://a.b.example.com', {}, true],
    ['github.com/org/*', 'github.com/org/repo', { separators: '/' }, true],
    ['github.com/org/*', 'github.com/org/sub/repo', { separators: '/' }, false],
    ['github.com/org/**', 'github.com/org/sub/repo', { separators: '/' }, true],
    ['team-?', 'team-a', {}, true],
    ['team-[ab]', 'team-c', {}, false],
    ['team-[!ab]', 'team-c', {}, true],
    ['{dev,staging}-*', 'staging-eu', {}, true],
    ['!prod-*', 'prod-eu', {}, false],
    ['!prod-*', 'dev-eu', {}, true],
    ['!prod-*', '!prod-x', { negation: false }, true],
    ['a.b', 'axb', {}, false],
  ] as const)('%s vs %s %o → %s', (pattern, value, options, expected) => {
    expect(globMatch(pattern, value, options)).toBe(expected);
  });
});

describe('projectPermits', () => {
  const cases: Array<[string, Record<string, unknown>, PermitRequest, boolean, string?]> = [
    ['repo matching a glob', { sourceRepos: ['https://github.com/org/*'] }, { repoURL: 'git@github.com:org/app.git' }, true],
    ['repo outside the globs', { sourceRepos: ['https://github.com/org/*'] }, { repoURL: 'https://github.com/other/app' }, false, 'sourceRepos'],
    ['no sourceRepos permits no repo', {}, { repoURL: 'https://github.com/org/app' }, false, 'sourceRepos'],
    ['negated repo wins over *', { sourceRepos: ['*', '!https://github.com/org/secret-*'] }, { repoURL: 'https://github.com/org/secret-ops' }, false],
    ['negation alone permits the rest', { sourceRepos: ['!https://github.com/org/secret-*'] }, { repoURL: 'https://github.com/org/web' }, true],
    ['destination by server and namespace glob', { destinations: [{ server: inCluster, namespace: 'app-*' }] }, { destination: { server: inCluster, namespace: 'app-web' } }, true],
    ['destination namespace outside glob', { destinations: [{ server: inCluster, namespace: 'app-*' }] }, { destination: { server: inCluster, namespace: 'kube-system' } }, false, 'destinations'],
    ['destination by cluster name', { destinations: [{ name: 'prod-*', namespace: '*' }] }, { destination: { name: 'prod-eu', namespace: 'web' } }, true],
    ['denied namespace pattern vetoes', { destinations: [{ server: '*', namespace: '*' }, { server: '*', namespace: '!kube-*' }] }, { destination: { server: inCluster, namespace: 'kube-system' } }, false],
    ['cluster-scoped kind needs the whitelist', { clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }] }, { resource: { group: '', kind: 'Namespace', namespaced: false } }, true],
    ['no cluster whitelist denies cluster-scoped kinds', {}, { resource: { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', namespaced: false } }, false, 'clusterResourceWhitelist'],
    ['empty cluster whitelist denies too', { clusterResourceWhitelist: [] }, { resource: { group: '', kind: 'Namespace', namespaced: false } }, false],
    ['cluster blacklist wins over a * whitelist', { clusterResourceWhitelist: [{ group: '*', kind: '*' }], clusterResourceBlacklist: [{ group: 'rbac.authorization.k8s.io', kind: '*' }] }, { resource: { group: 'rbac.authorization.k8s.io', kind: 'ClusterRoleBinding', namespaced: false } }, false, 'clusterResourceBlacklist'],
    ['namespaced kinds are free without a namespace whitelist', {}, { resource: { group: 'apps', kind: 'Deployment', namespaced: true } }, true],
    ['namespace whitelist restricts namespaced kinds', { namespaceResourceWhitelist: [{ group: '', kind: 'ConfigMap' }] }, { resource: { group: 'apps', kind: 'Deployment', namespaced: true } }, false, 'namespaceResourceWhitelist'],
    ['namespace blacklist', { namespaceResourceBlacklist: [{ group: '', kind: 'ResourceQuota' }] }, { resource: { group: '', kind: 'ResourceQuota', namespaced: true } }, false, 'namespaceResourceBlacklist'],
  ];

  it.each(cases)('%s', (_name, spec, request, expected, reasonPart) => {
    const decision = projectPermits(project(spec), request);
    expect(decision.allowed).toBe(expected);
    if (!decision.allowed && reasonPart) expect(decision.reason).toContain(reasonPart);
    if (!decision.allowed) expect(decision.reason).toContain('team-a');
  });

  it('lets the implied default project permit everything', () => {
    const decision = projectPermits(defaultAppProject(), {
      repoURL: 'https://example.com/any/repo',
      destination: { name: 'anywhere', namespace: 'any' },
      resource: { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', namespaced: false },
    });
    expect(decision).toEqual({ allowed: true });
  });
});
