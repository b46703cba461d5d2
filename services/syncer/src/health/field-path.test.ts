import { describe, it, expect } from 'vitest';
import { fieldAt, parseFieldPath } from './field-path.ts';

const pod = {
  metadata: { name: 'web-0', annotations: { 'example.com/owner': 'team-a' } },
  status: {
    phase: 'Running',
    ready: false,
    conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', message: 'not yet' }],
    containerStatuses: [{ name: 'web', restartCount: 0 }],
  },
};

describe('field paths', () => {
  it.each([
    ['status.phase', 'Running'],
    ['status.ready', false],
    ['status.conditions[type=Ready].status', 'False'],
    ['status.conditions[1].message', 'not yet'],
    ['status.containerStatuses[0].restartCount', 0],
    ['metadata.annotations["example.com/owner"]', 'team-a'],
    ["metadata.annotations['example.com/owner']", 'team-a'],
    ['status.conditions[type=Missing].status', undefined],
    ['status.nothing.deeper', undefined],
    ['status.phase.length', undefined],
  ])('%s → %j', (path, expected) => {
    expect(fieldAt(pod, path)).toEqual(expected);
  });

  it('reports syntax errors with their position', () => {
    expect(parseFieldPath('status..phase')).toEqual({ error: 'expected a field name at character 8 of field path "status..phase"' });
    expect(parseFieldPath('status.phase.')).toEqual({ error: 'path ends with "." at character 14 of field path "status.phase."' });
    expect(parseFieldPath('status.conditions[]')).toHaveProperty('error');
    expect(parseFieldPath('')).toEqual({ error: 'field path is empty' });
    expect(fieldAt(pod, 'status..phase')).toBeUndefined();
  });
});
