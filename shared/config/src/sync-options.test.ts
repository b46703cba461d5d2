import { describe, expect, it } from 'vitest';
import { parseSyncOptions, resourceSyncOptions } from './sync-options.ts';

describe('parseSyncOptions', () => {
  it('defaults to Argo CD behaviour when nothing is set', () => {
    expect(parseSyncOptions()).toMatchObject({ createNamespace: false, serverSideApply: false, pruneLast: false, applyOutOfSyncOnly: false, prune: true, validate: true, prunePropagationPolicy: 'foreground', unrecognized: [] });
  });

  it('reads an Application syncOptions list', () => {
    const options = parseSyncOptions(['CreateNamespace=true', 'ServerSideApply=true', 'PruneLast=true', 'ApplyOutOfSyncOnly=true', 'Validate=false', 'PrunePropagationPolicy=background']);
    expect(options).toMatchObject({ createNamespace: true, serverSideApply: true, pruneLast: true, applyOutOfSyncOnly: true, validate: false, prunePropagationPolicy: 'background' });
  });

  it('reads the comma-separated resource annotation over the application options', () => {
    const application = parseSyncOptions(['CreateNamespace=true', 'PruneLast=false']);
    const manifest = { metadata: { annotations: { 'argocd.argoproj.io/sync-options': 'Prune=false, PruneLast=true' } } };
    expect(resourceSyncOptions(manifest, application)).toMatchObject({ createNamespace: true, prune: false, pruneLast: true });
    expect(resourceSyncOptions({ metadata: {} }, application)).toMatchObject({ createNamespace: true, prune: true, pruneLast: false });
  });

  it('understands confirm values and lists what it does not recognise', () => {
    const options = parseSyncOptions('Prune=confirm,Delete=false,CreateNamespace=yes,createnamespace=true,Bogus');
    expect(options).toMatchObject({ prune: true, pruneConfirm: true, delete: false, createNamespace: false });
    expect(options.unrecognized).toEqual(['CreateNamespace=yes', 'createnamespace=true', 'Bogus']);
  });
});
