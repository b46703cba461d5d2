import { describe, expect, it } from 'vitest';
import { applicationSyncOptions, checkSyncOptions, parseSyncOptions, resourceSyncOptions } from './sync-options.ts';

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

describe('resource annotations and operations', () => {
  it('ignores application-only options in a resource annotation and lists them', () => {
    const application = parseSyncOptions(['PrunePropagationPolicy=orphan']);
    const options = resourceSyncOptions({ metadata: { annotations: { 'argocd.argoproj.io/sync-options': 'CreateNamespace=true,PrunePropagationPolicy=background,Replace=true' } } }, application);
    expect(options).toMatchObject({ createNamespace: false, prunePropagationPolicy: 'orphan', replace: true });
    expect(options.unrecognized).toEqual(['CreateNamespace=true', 'PrunePropagationPolicy=background']);
  });

  it('merges the operation over the application, and its force flag', () => {
    const application = { spec: { syncPolicy: { syncOptions: ['PruneLast=true', 'Validate=false'] } } };
    expect(applicationSyncOptions(application)).toMatchObject({ pruneLast: true, validate: false, force: false });
    expect(applicationSyncOptions(application, { syncOptions: ['Validate=true', 'Replace=true'], force: true }))
      .toMatchObject({ pruneLast: true, validate: true, replace: true, force: true });
  });
});

describe('checkSyncOptions', () => {
  it('accepts what Tidewater implements without a finding', () => {
    expect(checkSyncOptions(['CreateNamespace=true', 'Prune=confirm', 'PruneLast=true', 'Replace=true', 'Force=true', 'Validate=false',
      'ApplyOutOfSyncOnly=true', 'FailOnSharedResource=true', 'SkipDryRunOnMissingResource=true', 'PrunePropagationPolicy=orphan',
      'ServerSideApply=true', 'RespectIgnoreDifferences=true'])).toEqual([]);
  });

  it('warns, naming the option, about what is not implemented', () => {
    expect(checkSyncOptions(['ClientSideApplyMigration=false', 'ServerSideApply=false', 'Delete=confirm'])).toEqual([
      { index: 0, severity: 'warning', detail: 'sync option ClientSideApplyMigration=false is not supported and is ignored' },
      { index: 1, severity: 'warning', detail: expect.stringContaining('ServerSideApply=false is ignored') },
      { index: 2, severity: 'warning', detail: expect.stringContaining('Delete=confirm has no effect') },
    ]);
  });

  it('refuses Force=true with ServerSideApply=true, unless Replace=true, and contradictory duplicates', () => {
    expect(checkSyncOptions(['ServerSideApply=true', 'Force=true'])).toEqual([
      { index: 1, severity: 'error', detail: expect.stringContaining('Force=true cannot be combined with ServerSideApply=true') },
    ]);
    expect(checkSyncOptions(['ServerSideApply=true', 'Force=true', 'Replace=true'])).toEqual([]);
    expect(checkSyncOptions(['Prune=false', 'Prune=confirm'])).toEqual([
      { index: 1, severity: 'error', detail: expect.stringContaining('sync option Prune is set twice with different values') },
    ]);
  });
});
