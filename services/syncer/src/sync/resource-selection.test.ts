import { describe, expect, it } from 'vitest';
import { isSelected, parseResourceSelector, parseResourceSelectors } from './resource-selection.ts';

describe('resource selection (argocd app sync --resource)', () => {
  it('parses group:kind:name and group:kind:namespace/name, the group empty for core', () => {
    expect(parseResourceSelector('apps:Deployment:web')).toEqual({ group: 'apps', kind: 'Deployment', name: 'web' });
    expect(parseResourceSelector(':ConfigMap:team-a/settings')).toEqual({ group: '', kind: 'ConfigMap', namespace: 'team-a', name: 'settings' });
    expect(parseResourceSelectors(['apps:Deployment:web', 'Deployment/web'])).toEqual({ invalid: 'Deployment/web' });
  });

  it('selects by group, kind, name and (when given) namespace', () => {
    const selectors = [{ group: 'apps', kind: 'Deployment', name: 'web' }, { group: '', kind: 'ConfigMap', namespace: 'a', name: 'settings' }];
    expect(isSelected(selectors, { group: 'apps', kind: 'Deployment', namespace: 'any', name: 'web' })).toBe(true);
    expect(isSelected(selectors, { group: '', kind: 'ConfigMap', namespace: 'a', name: 'settings' })).toBe(true);
    expect(isSelected(selectors, { group: '', kind: 'ConfigMap', namespace: 'b', name: 'settings' })).toBe(false);
    expect(isSelected(selectors, { group: 'apps', kind: 'StatefulSet', name: 'web' })).toBe(false);
    expect(isSelected(undefined, { group: 'x', kind: 'Y', name: 'z' })).toBe(true);
  });
});
