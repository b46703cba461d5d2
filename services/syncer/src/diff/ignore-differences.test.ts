import { afterAll, describe, expect, it } from 'vitest';
import { manifestKeepingIgnoredFields } from '../apply/ignore-differences.ts';
import { ignoreRulesOf, invalidJqExpressions, rulesForObject, withoutIgnoredFields, type IgnoreRule } from './ignore-differences.ts';
import { createJqEngine } from './jq-path-expressions.ts';
import { removeJsonPointer } from './json-pointer.ts';
import { removeManagedFields } from './managed-fields-removal.ts';

const jq = createJqEngine({ timeoutMs: 2_000 });
afterAll(() => jq.close());

const rule = (extra: Partial<IgnoreRule>): IgnoreRule => ({
  field: 'spec.ignoreDifferences[0]', group: 'apps', kind: 'Deployment', jsonPointers: [], jqPathExpressions: [], managedFieldsManagers: [], ...extra,
});

const deployment = () => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', annotations: { 'example.com/a/b': '1', keep: '2' } },
  spec: {
    replicas: 3,
    template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }, { name: 'sidecar', image: 'envoy:1' }] } },
  },
});

describe('which objects a rule names', () => {
  it('matches group and kind as globs and name and namespace exactly, core group as ""', () => {
    const rules = [
      rule({ field: 'a' }),
      rule({ field: 'b', group: '*', kind: '*', name: 'web' }),
      rule({ field: 'c', group: '', kind: 'ConfigMap', namespace: 'shop' }),
    ];
    const names = (ref: { group: string; kind: string; namespace?: string; name: string }) => rulesForObject(rules, ref).map((found) => found.field);
    expect(names({ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'web' })).toEqual(['a', 'b']);
    expect(names({ group: 'apps', kind: 'Deployment', namespace: 'shop', name: 'api' })).toEqual(['a']);
    expect(names({ group: '', kind: 'ConfigMap', namespace: 'shop', name: 'x' })).toEqual(['c']);
    expect(names({ group: '', kind: 'ConfigMap', namespace: 'other', name: 'x' })).toEqual([]);
    expect(names({ group: 'batch', kind: 'Job', name: 'web' })).toEqual(['b']);
  });

  it('reads spec.ignoreDifferences with the core group for an omitted group', () => {
    const rules = ignoreRulesOf({ spec: { ignoreDifferences: [{ kind: 'ConfigMap', jsonPointers: ['/data'] }] } } as never);
    expect(rules).toEqual([{ field: 'spec.ignoreDifferences[0]', group: '', kind: 'ConfigMap', jsonPointers: ['/data'], jqPathExpressions: [], managedFieldsManagers: [] }]);
  });
});

describe('removing ignored fields', () => {
  it('removes JSON pointers (with ~1 escapes and list indices), leaving pointers to nothing alone', () => {
    const object = deployment();
    for (const pointer of ['/spec/replicas', '/metadata/annotations/example.com~1a~1b', '/spec/template/spec/containers/1/image', '/spec/nothing/here', '/spec/template/spec/containers/9']) {
      removeJsonPointer(object, pointer);
    }
    expect(object.spec).not.toHaveProperty('replicas');
    expect(object.metadata.annotations).toEqual({ keep: '2' });
    expect(object.spec.template.spec.containers).toEqual([{ name: 'web', image: 'nginx:1' }, { name: 'sidecar' }]);
  });

  it('removes what a field manager owns, as structured-merge-diff does (leaves, keyed list items, whole owned nodes)', () => {
    const object = deployment();
    removeManagedFields(object, {
      'f:spec': { 'f:replicas': {}, 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"sidecar"}': { '.': {}, 'f:image': {}, 'f:name': {} }, 'k:{"name":"web"}': { 'f:image': {} } } } } },
      'f:metadata': { 'f:annotations': { 'f:keep': {} } },
    });
    expect(object).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop', annotations: { 'example.com/a/b': '1' } },
      spec: { template: { spec: { containers: [{ name: 'web' }] } } },
    });
  });

  it('runs jq path expressions as del(...), including select() on list items and bracketed keys', async () => {
    const rules = [rule({ jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "sidecar") | .image', '.metadata.annotations["example.com/a/b"]'] })];
    const normalized = await withoutIgnoredFields(deployment(), rules, { jq });
    expect(normalized.spec.template.spec.containers).toEqual([{ name: 'web', image: 'nginx:1' }, { name: 'sidecar' }]);
    expect(normalized.metadata.annotations).toEqual({ keep: '2' });
    expect(deployment().spec.template.spec.containers[1].image).toBe('envoy:1'); // the input is not changed
  });

  it('skips an expression that fails on an object and says why without quoting the object\'s values', async () => {
    const failures: Array<{ field: string; message: string }> = [];
    const secret = { apiVersion: 'v1', kind: 'Secret', data: 'c2VjcmV0LXZhbHVl' };
    const normalized = await withoutIgnoredFields(secret, [rule({ kind: 'Secret', group: '', jqPathExpressions: ['.data[]'] })], { jq, onFailure: (failure) => failures.push(failure) });
    expect(normalized).toEqual(secret);
    expect(failures).toHaveLength(1);
    expect(failures[0].field).toBe('spec.ignoreDifferences[0]');
    expect(failures[0].message).not.toContain('c2VjcmV0LXZhbHVl');
  });

  it('names jq expressions that do not compile, and stops one that never ends', async () => {
    const problems = await invalidJqExpressions([rule({ jqPathExpressions: ['.spec.replicas', '.spec.[[['] })], jq);
    expect(problems).toEqual([{ field: 'spec.ignoreDifferences[0].jqPathExpressions[1]', message: expect.stringMatching(/syntax error/) }]);
    const quick = createJqEngine({ timeoutMs: 1_000 });
    try {
      expect(await quick.deletePaths({ a: 1 }, 'def f: f; f')).toEqual({ ok: false, message: 'did not finish within 1000 ms', compileError: false });
      // The engine starts a new worker for the next expression.
      expect(await quick.deletePaths({ a: 1, b: 2 }, '.a')).toEqual({ ok: true, document: { b: 2 } });
    } finally {
      await quick.close();
    }
  });
});

describe('RespectIgnoreDifferences: the manifest keeps the ignored fields\' live values', () => {
  const live = () => {
    const object = deployment() as ReturnType<typeof deployment> & { metadata: { managedFields?: unknown } };
    object.spec.replicas = 7;
    object.spec.template.spec.containers[1].image = 'envoy:injected';
    object.metadata.managedFields = [{ manager: 'kube-controller-manager', operation: 'Update', subresource: 'scale', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }];
    return object;
  };

  it('fills JSON pointer and jq fields from live and keeps everything else from Git', async () => {
    const desired = deployment();
    desired.spec.template.spec.containers[0].image = 'nginx:2';
    const rules = [rule({ jsonPointers: ['/spec/replicas'], jqPathExpressions: ['.spec.template.spec.containers[] | select(.name == "sidecar") | .image'] })];
    const kept = await manifestKeepingIgnoredFields(desired as never, live() as never, rules);
    expect(kept.spec).toEqual({ replicas: 7, template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }, { name: 'sidecar', image: 'envoy:injected' }] } } });
  });

  it('fills the fields a listed manager owns from live', async () => {
    const kept = await manifestKeepingIgnoredFields(deployment() as never, live() as never, [rule({ managedFieldsManagers: ['kube-controller-manager'] })]);
    expect((kept.spec as { replicas: number }).replicas).toBe(7);
    expect(JSON.stringify(kept)).not.toContain('envoy:injected');
  });

  it('leaves out an ignored field that live does not have', async () => {
    const withoutReplicas = live() as { spec: { replicas?: number } };
    delete withoutReplicas.spec.replicas;
    const kept = await manifestKeepingIgnoredFields(deployment() as never, withoutReplicas as never, [rule({ jsonPointers: ['/spec/replicas'] })]);
    expect(kept.spec).not.toHaveProperty('replicas');
  });
});
