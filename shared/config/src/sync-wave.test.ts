import { describe, expect, it } from 'vitest';
import { syncWaveOf } from './sync-wave.ts';

const withAnnotations = (annotations: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', annotations } });

describe('syncWaveOf', () => {
  it.each([
    [withAnnotations({ 'argocd.argoproj.io/sync-wave': '5' }), 5],
    [withAnnotations({ 'argocd.argoproj.io/sync-wave': '-2' }), -2],
    [withAnnotations({ 'argocd.argoproj.io/sync-wave': 'soon' }), 0],
    [withAnnotations({ 'helm.sh/hook-weight': '3' }), 3],
    [withAnnotations({ 'argocd.argoproj.io/sync-wave': '1', 'helm.sh/hook-weight': '3' }), 1],
    [{ metadata: { name: 'plain' } }, 0],
    [null, 0],
  ])('%o → %i', (manifest, wave) => {
    expect(syncWaveOf(manifest)).toBe(wave);
  });
});
