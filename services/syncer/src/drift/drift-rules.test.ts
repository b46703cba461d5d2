import { describe, expect, it } from 'vitest';
import { differingFields, withoutServerFields } from './live-comparison.ts';
import { fieldPathSegments, lastChangedByTidewater, otherManagersOf } from './managed-fields.ts';
import { createHealMemory, defaultSelfHealPolicy, planHeals } from './self-heal.ts';

describe('differingFields', () => {
  it('names changed, added and removed fields by path, quoting keys that are not plain names', () => {
    const live = { metadata: { labels: { 'tidewater.dev/app': 'x', team: 'red' } }, spec: { replicas: 5, template: { spec: { containers: [{ name: 'web', image: 'nginx:1' }] } } } };
    const desired = { metadata: { labels: { 'tidewater.dev/app': 'y' } }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'nginx:2' }] } } } };
    expect(differingFields(live, desired)).toEqual([
      'metadata.labels["tidewater.dev/app"]', 'metadata.labels.team', 'spec.replicas', 'spec.template.spec.containers[0].image',
    ]);
    expect(differingFields({ ports: [1, 2] }, { ports: [1] })).toEqual(['ports']);
    expect(differingFields({ a: { b: [1] } }, { a: { b: [1] } })).toEqual([]);
  });

  it('ignores status and metadata the API server sets', () => {
    const live = {
      apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' }, status: { x: 1 },
      metadata: { name: 'c', resourceVersion: '9', generation: 2, uid: 'u', creationTimestamp: 't', managedFields: [], labels: {} },
    };
    expect(withoutServerFields(live)).toEqual({ apiVersion: 'v1', kind: 'ConfigMap', data: { a: '1' }, metadata: { name: 'c' } });
  });
});

describe('managed fields', () => {
  const entry = (manager: string, time: string, fieldsV1: Record<string, unknown> = {}, extra: Record<string, string> = {}) =>
    ({ manager, operation: manager === 'tidewater' ? 'Apply' : 'Update', time, fieldsV1, ...extra });

  it('tells whether Tidewater made the newest change outside the status', () => {
    const object = (...entries: object[]) => ({ metadata: { managedFields: entries } });
    expect(lastChangedByTidewater(object(entry('tidewater', '2026-01-01T00:00:02Z'), entry('kubectl-edit', '2026-01-01T00:00:01Z')))).toBe(true);
    expect(lastChangedByTidewater(object(entry('tidewater', '2026-01-01T00:00:01Z'), entry('kubectl-edit', '2026-01-01T00:00:02Z')))).toBe(false);
    // Same second: cannot tell who was last, so the caller compares.
    expect(lastChangedByTidewater(object(entry('tidewater', '2026-01-01T00:00:01Z'), entry('kubectl-edit', '2026-01-01T00:00:01Z')))).toBe(false);
    // Status updates by controllers do not count.
    expect(lastChangedByTidewater(object(entry('tidewater', '2026-01-01T00:00:01Z'), entry('kube-controller-manager', '2026-01-01T00:00:09Z', {}, { subresource: 'status' })))).toBe(true);
    expect(lastChangedByTidewater(object(entry('kubectl-edit', '2026-01-01T00:00:01Z')))).toBe(false);
    // `kubectl scale` writes through the scale subresource, whose managedFields entry carries no time.
    expect(lastChangedByTidewater(object(entry('tidewater', '2026-01-01T00:00:01Z'), entry('kubectl', '', {}, { subresource: 'scale' })))).toBe(false);
  });

  it('finds the managers that own drifted fields', () => {
    const object = {
      metadata: {
        managedFields: [
          entry('tidewater', '2026-01-01T00:00:01Z', { 'f:spec': { 'f:template': {} } }),
          entry('hpa', '2026-01-01T00:00:05Z', { 'f:spec': { 'f:replicas': {} } }),
          entry('kubectl-label', '2026-01-01T00:00:09Z', { 'f:metadata': { 'f:labels': { 'f:team': {} } } }),
          entry('kubectl-set-image', '2026-01-01T00:00:07Z', { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } } } }),
        ],
      },
    };
    expect(otherManagersOf(object, ['spec.replicas'])).toEqual(['hpa']);
    expect(otherManagersOf(object, ['spec.template.spec.containers[0].image'])).toEqual(['kubectl-set-image']);
    expect(otherManagersOf(object, ['spec.unknown'])).toEqual(['kubectl-label']);
    expect(fieldPathSegments('metadata.labels["tidewater.dev/app"]')).toEqual(['metadata', 'labels', 'tidewater.dev/app']);
  });
});

describe('planHeals', () => {
  it('heals until an object was healed maxHeals times within the window, then backs off doubling, one try after each', () => {
    const memory = createHealMemory();
    const policy = { ...defaultSelfHealPolicy, maxHeals: 3, backoffMs: 1_000 };
    memory.heals.set('web', [0, 100, 200]);
    const first = planHeals(['web', 'calm'], memory, policy, 300);
    expect(first.ready).toEqual(['calm']);
    expect(first.contested).toEqual([{ key: 'web', heals: 3, retryInMs: 1_000 }]);
    expect(planHeals(['web'], memory, policy, 800)).toMatchObject({ ready: [], contested: [], nextCheckInMs: 500 });
    expect(planHeals(['web'], memory, policy, 1_300).ready).toEqual(['web']); // the one try after the back-off
    memory.heals.set('web', [...memory.heals.get('web')!, 1_300]);
    expect(planHeals(['web'], memory, policy, 1_400).contested).toEqual([{ key: 'web', heals: 4, retryInMs: 2_000 }]);
    // A quiet window forgets the fight.
    expect(planHeals(['web'], memory, policy, 3_500).ready).toEqual(['web']);
    expect(planHeals(['web'], memory, policy, 70_000)).toMatchObject({ ready: ['web'], contested: [] });
    expect(memory.contestLevel.has('web')).toBe(false);
  });
});
