import { describe, expect, it } from 'vitest';
import { defaultHookTimeoutMs, hookDeclarationOf, parseDuration } from './hook-annotations.ts';

const manifest = (annotations: Record<string, string>) => ({ metadata: { name: 'x', annotations } });

describe('hookDeclarationOf', () => {
  it('reads Argo CD hook types and delete policies, BeforeHookCreation by default', () => {
    expect(hookDeclarationOf(manifest({}))).toEqual({ kind: 'resource' });
    expect(hookDeclarationOf(manifest({ 'argocd.argoproj.io/hook': 'PreSync, PostSync' }))).toMatchObject({
      kind: 'hook', phases: ['PreSync', 'PostSync'], deletePolicies: ['BeforeHookCreation'], timeoutMs: defaultHookTimeoutMs,
    });
    expect(hookDeclarationOf(manifest({ 'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'HookSucceeded,HookFailed' })))
      .toMatchObject({ phases: ['Sync'], deletePolicies: ['HookSucceeded', 'HookFailed'] });
    expect(hookDeclarationOf(manifest({ 'argocd.argoproj.io/hook': 'Skip' }))).toMatchObject({ kind: 'skip' });
    expect(hookDeclarationOf(manifest({ 'argocd.argoproj.io/hook': 'Later', 'argocd.argoproj.io/hook-delete-policy': 'Never' })))
      .toMatchObject({ phases: [], unknown: ['argocd.argoproj.io/hook: Later', 'argocd.argoproj.io/hook-delete-policy: Never'] });
  });

  it('maps Helm hooks as Argo CD does; the Argo CD annotation wins', () => {
    expect(hookDeclarationOf(manifest({ 'helm.sh/hook': 'pre-install,pre-upgrade', 'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded' })))
      .toMatchObject({ phases: ['PreSync'], deletePolicies: ['BeforeHookCreation', 'HookSucceeded'] });
    expect(hookDeclarationOf(manifest({ 'helm.sh/hook': 'post-install' }))).toMatchObject({ phases: ['PostSync'] });
    expect(hookDeclarationOf(manifest({ 'helm.sh/hook': 'post-delete' }))).toMatchObject({ phases: ['PostDelete'] });
    expect(hookDeclarationOf(manifest({ 'helm.sh/hook': 'crd-install' }))).toEqual({ kind: 'resource' });
    expect(hookDeclarationOf(manifest({ 'helm.sh/hook': 'test' }))).toMatchObject({ kind: 'hook', phases: [], helmTypes: ['test'] });
    expect(hookDeclarationOf(manifest({ 'helm.sh/hook': 'pre-install', 'argocd.argoproj.io/hook': 'PostSync' }))).toMatchObject({ phases: ['PostSync'] });
  });

  it('reads tidewater.dev/hook-timeout and reports a value it cannot read', () => {
    expect(hookDeclarationOf(manifest({ 'argocd.argoproj.io/hook': 'PreSync', 'tidewater.dev/hook-timeout': '90s' }))).toMatchObject({ timeoutMs: 90_000 });
    expect(hookDeclarationOf(manifest({ 'argocd.argoproj.io/hook': 'PreSync', 'tidewater.dev/hook-timeout': 'soon' })))
      .toMatchObject({ timeoutMs: { invalid: 'tidewater.dev/hook-timeout: "soon" is not a duration such as 90s, 5m or 1h' } });
  });
});

describe('parseDuration', () => {
  it('reads Go-style durations and plain seconds', () => {
    expect([parseDuration('250ms'), parseDuration('5m'), parseDuration('1h30m'), parseDuration('45')]).toEqual([250, 300_000, 5_400_000, 45_000]);
    expect([parseDuration('0s'), parseDuration('5 minutes'), parseDuration(''), parseDuration(5)]).toEqual([undefined, undefined, undefined, undefined]);
  });
});
