import { describe, expect, it } from 'vitest';
import type { AppProject } from '@tidewater/config';
import type { PlannedObject } from '../apply/sync-plan.ts';
import { GuardrailViolation } from '../errors/sync-failure.ts';
import { checkProjectGuardrails } from './project-guardrails.ts';

const project: AppProject = {
  apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'demo' },
  spec: {
    sourceRepos: ['https://git.example.com/team/*'],
    destinations: [{ name: 'prod', namespace: 'shop-*' }],
    clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
    namespaceResourceBlacklist: [{ group: '', kind: 'ResourceQuota' }],
  },
};

function object(group: string, kind: string, name: string, namespace?: string): PlannedObject {
  return {
    ref: { group, version: 'v1', kind, name, namespace },
    info: { resource: 'things', namespaced: namespace !== undefined },
    manifest: { apiVersion: 'v1', kind, metadata: { name } }, wave: 0,
  };
}

const check = (objects: PlannedObject[], overrides: { repoURL?: string; namespace?: string } = {}) => () => checkProjectGuardrails({
  appName: 'shop', project, repoURL: overrides.repoURL ?? 'https://git.example.com/team/deploy.git',
  destination: { name: 'prod', server: 'https://prod.example.com', namespace: overrides.namespace ?? 'shop-prod' }, objects,
});

describe('checkProjectGuardrails', () => {
  it('permits objects within the project', () => {
    expect(check([object('', 'Namespace', 'shop-prod'), object('apps', 'Deployment', 'web', 'shop-prod')])).not.toThrow();
  });

  it('names a cluster-scoped kind missing from clusterResourceWhitelist', () => {
    expect(check([object('apps', 'Deployment', 'web', 'shop-prod'), object('rbac.authorization.k8s.io', 'ClusterRole', 'foo')]))
      .toThrow(/^ClusterRole rbac\.authorization\.k8s\.io\/foo is not permitted by project demo: cluster-scoped resource .*clusterResourceWhitelist/);
  });

  it('names an object in a namespace outside the project destinations, and counts the others', () => {
    const violation = (() => {
      try {
        check([object('', 'ConfigMap', 'a', 'kube-system'), object('', 'ConfigMap', 'b', 'default'), object('', 'ResourceQuota', 'q', 'shop-prod')])();
      } catch (error) {
        return error as Error;
      }
    })();
    expect(violation).toBeInstanceOf(GuardrailViolation);
    expect(violation?.message).toMatch(/^ConfigMap a in namespace kube-system is not permitted by project demo: destination .* \(and 2 more objects not permitted\)$/);
  });

  it('refuses a source repository or destination namespace the project does not permit', () => {
    expect(check([], { repoURL: 'https://github.com/elsewhere/repo.git' })).toThrow(/application shop is not permitted by project demo: repository/);
    expect(check([], { namespace: 'default' })).toThrow(/application shop is not permitted by project demo: destination/);
  });
});
