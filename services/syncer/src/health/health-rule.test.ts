import { describe, it, expect } from 'vitest';
import { parse } from 'yaml';
import { assessHealth } from './assess-health.ts';
import { parseHealthRules } from './health-rule.ts';

// HealthRule documents as they arrive from config: TidewaterConfig.otherDocuments, parsed from YAML.
const ruleDocuments: unknown[] = [
  parse(`
apiVersion: tidewater.dev/v1alpha1
kind: HealthRule
metadata: { name: widgets }
spec:
  group: example.com
  kind: Widget
  rules:
    - when: [{ path: status.phase, equals: Ready }]
      status: Healthy
    - when:
        - path: 'status.conditions[type=Failed].status'
          equals: True
      status: Degraded
      message: 'widget \${metadata.name} failed: \${status.conditions[type=Failed].message}'
    - when: [{ path: status.phase, in: [Pending, Creating] }]
      status: Progressing
      message: 'phase \${status.phase}'
`),
  parse(`
apiVersion: tidewater.dev/v1alpha1
kind: HealthRule
metadata: { name: canary-deployments }
spec:
  group: apps
  kind: Deployment
  rules:
    - when:
        - path: 'metadata.annotations["example.com/canary"]'
          equals: "true"
        - path: status.availableReplicas
          exists: true
      status: Healthy
      message: 'canary with \${status.availableReplicas} available'
`),
  { apiVersion: 'tidewater.dev/v1alpha1', kind: 'ImagePolicy', metadata: { name: 'web' }, spec: { image: 'ghcr.io/org/web' } },
  { apiVersion: 'other.io/v1', kind: 'HealthRule', metadata: { name: 'not-ours' }, spec: {} },
];

describe('parseHealthRules', () => {
  it('keeps the valid HealthRule documents and ignores other kinds', () => {
    const { rules, errors } = parseHealthRules(ruleDocuments);
    expect(errors).toEqual([]);
    expect(rules.map((rule) => rule.metadata.name)).toEqual(['widgets', 'canary-deployments']);
    expect(rules[0].spec.rules[2].when[0]).toEqual({ path: 'status.phase', in: ['Pending', 'Creating'] });
  });

  it('reports invalid documents by name and field', () => {
    const invalid = [
      { apiVersion: 'tidewater.dev/v1alpha1', kind: 'HealthRule', metadata: { name: 'bad' }, spec: { kind: 'Widget', rules: [{ when: [{ path: 'status.phase' }], status: 'Great' }] } },
      { apiVersion: 'tidewater.dev/v1alpha1', kind: 'HealthRule', metadata: { name: 'bad-path' }, spec: { kind: 'Widget', rules: [{ when: [{ path: 'status.conditions[type=Ready', exists: true }], status: 'Healthy', message: '${status..phase}' }] } },
      { apiVersion: 'tidewater.dev/v1beta9', kind: 'HealthRule', metadata: { name: 'wrong-version' }, spec: { kind: 'Widget', rules: [{ status: 'Healthy' }] } },
      { apiVersion: 'tidewater.dev/v1alpha1', kind: 'HealthRule', metadata: { name: 'typo' }, spec: { kind: 'Widget', rule: [] } },
    ];
    const { rules, errors } = parseHealthRules(invalid);
    expect(rules).toEqual([]);
    expect(errors).toEqual([
      'HealthRule bad: spec.rules[0].when[0]: set at least one of equals, in or exists',
      expect.stringMatching(/^HealthRule bad: spec\.rules\[0\]\.status: /),
      'HealthRule bad-path: spec.rules[0].when[0].path: unclosed "[" at character 18 of field path "status.conditions[type=Ready"',
      'HealthRule bad-path: spec.rules[0].message: placeholder: expected a field name at character 8 of field path "status..phase"',
      expect.stringMatching(/^HealthRule wrong-version: apiVersion: /),
      expect.stringMatching(/^HealthRule typo: spec\.rules: /),
      expect.stringMatching(/^HealthRule typo: spec: .*rule/),
    ]);
  });
});

describe('assessHealth with HealthRules', () => {
  const { rules } = parseHealthRules(ruleDocuments);
  const widget = (status: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'web', generation: 1 }, status });

  it('judges an unknown CRD by its rules, first match wins', () => {
    expect(assessHealth(widget({ phase: 'Ready' }), rules)).toEqual({ status: 'Healthy' });
    expect(assessHealth(widget({ phase: 'Broken', conditions: [{ type: 'Failed', status: 'True', message: 'disk full' }] }), rules)).toEqual({
      status: 'Degraded', message: 'widget w1 failed: disk full',
    });
    expect(assessHealth(widget({ phase: 'Creating' }), rules)).toEqual({ status: 'Progressing', message: 'phase Creating' });
  });

  it('falls back to the built-in check when no rule matches', () => {
    // Built-in for an unknown kind: the conditions check, which reads Ready here.
    expect(assessHealth(widget({ phase: 'Other', conditions: [{ type: 'Ready', status: 'False', reason: 'OutOfStock' }] }), rules).status).toBe('Degraded');
  });

  it('overrides a built-in check for its group/kind only', () => {
    const canary = {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web-canary', namespace: 'web', generation: 5, annotations: { 'example.com/canary': 'true' } },
      spec: { replicas: 10 },
      status: { observedGeneration: 5, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    };
    expect(assessHealth(canary)).toEqual({ status: 'Progressing', message: '1 of 10 replicas have been updated' });
    expect(assessHealth(canary, rules)).toEqual({ status: 'Healthy', message: 'canary with 1 available' });
    const plain = { ...canary, metadata: { ...canary.metadata, annotations: {} } };
    expect(assessHealth(plain, rules).status).toBe('Progressing');
  });

  it('never applies to an object being deleted', () => {
    const deleting = widget({ phase: 'Ready' });
    (deleting.metadata as Record<string, unknown>).deletionTimestamp = '2025-03-01T10:00:00Z';
    expect(assessHealth(deleting, rules)).toEqual({ status: 'Progressing', message: 'Pending deletion' });
  });

  it('matches YAML booleans and numbers against string fields', () => {
    const { rules: lenient } = parseHealthRules([parse(`
apiVersion: tidewater.dev/v1alpha1
kind: HealthRule
metadata: { name: gadgets }
spec:
  group: example.com
  kind: Gadget
  rules:
    - when: [{ path: status.ready, equals: true }, { path: status.count, equals: "3" }, { path: status.gone, exists: false }]
      status: Healthy
    - when: [{ path: status.gone, exists: true }]
      status: Degraded
      message: 'gone: \${status.gone}, details: \${status.details}, missing: [\${status.nothing}]'
`)]);
    const gadget = (status: Record<string, unknown>) => ({ apiVersion: 'example.com/v1', kind: 'Gadget', metadata: { name: 'g' }, status });
    expect(assessHealth(gadget({ ready: 'True', count: 3 }), lenient).status).toBe('Healthy');
    expect(assessHealth(gadget({ ready: true, count: '3' }), lenient).status).toBe('Healthy');
    expect(assessHealth(gadget({ ready: 'False', count: 3 }), lenient).status).toBe('Healthy'); // no match: built-in, no conditions
    expect(assessHealth(gadget({ ready: true, count: 3, gone: 'x', details: { a: 1 } }), lenient)).toEqual({
      status: 'Degraded', message: 'gone: x, details: {"a":1}, missing: []',
    });
  });
});
