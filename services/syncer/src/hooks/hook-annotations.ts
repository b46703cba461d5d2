import type { KubernetesObject } from '@tidewater/queues';

export const hookAnnotation = 'argocd.argoproj.io/hook';
export const hookDeletePolicyAnnotation = 'argocd.argoproj.io/hook-delete-policy';
export const helmHookAnnotation = 'helm.sh/hook';
export const helmHookDeletePolicyAnnotation = 'helm.sh/hook-delete-policy';
/** Tidewater's addition: how long a hook may run before the sync fails (`90s`, `5m`, `1h`; default 10 minutes). */
export const hookTimeoutAnnotation = 'tidewater.dev/hook-timeout';

export const hookPhases = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'PostDelete'] as const;
export type HookPhase = (typeof hookPhases)[number];
export type HookDeletePolicy = 'HookSucceeded' | 'HookFailed' | 'BeforeHookCreation';

export const defaultHookTimeoutMs = 10 * 60_000;

/** How Argo CD maps Helm hooks (gitops-engine pkg/sync/hook/helm); the others have no Argo CD equivalent. */
const helmHookPhases: Record<string, HookPhase> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
  'post-delete': 'PostDelete',
};

const helmDeletePolicies: Record<string, HookDeletePolicy> = {
  'hook-succeeded': 'HookSucceeded',
  'hook-failed': 'HookFailed',
  'before-hook-creation': 'BeforeHookCreation',
};

const argoDeletePolicies: readonly HookDeletePolicy[] = ['HookSucceeded', 'HookFailed', 'BeforeHookCreation'];

/** What a manifest's hook annotations say. */
export type HookDeclaration =
  | { kind: 'resource' }
  /** `argocd.argoproj.io/hook: Skip`: never applied. */
  | { kind: 'skip'; reason: string }
  | {
    kind: 'hook';
    /** Phases the hook runs in; empty for a Helm hook with no Argo CD equivalent (never run, like Argo CD). */
    phases: HookPhase[];
    deletePolicies: HookDeletePolicy[];
    /** Written values that were not understood (reported on the hook's result). */
    unknown: string[];
    /** The Helm hook types written, for messages. */
    helmTypes: string[];
    timeoutMs: number | { invalid: string };
  };

const split = (value: unknown) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter(Boolean) : []);

/**
 * Reads a manifest's hook annotations as Argo CD does: `argocd.argoproj.io/hook` wins over `helm.sh/hook`
 * (pre-install/pre-upgrade → PreSync, post-install/post-upgrade → PostSync, post-delete → PostDelete; crd-install
 * alone is an ordinary resource); delete policies from both annotations, BeforeHookCreation when none is given.
 */
export function hookDeclarationOf(manifest: Pick<KubernetesObject, 'metadata'>): HookDeclaration {
  const annotations = manifest.metadata?.annotations ?? {};
  const argoTypes = split(annotations[hookAnnotation]);
  const helmTypes = split(annotations[helmHookAnnotation]);
  const unknown: string[] = [];
  let phases: HookPhase[];
  if (argoTypes.length > 0) {
    if (argoTypes.includes('Skip')) return { kind: 'skip', reason: `not applied: ${hookAnnotation}: Skip` };
    phases = [];
    for (const type of argoTypes) {
      if ((hookPhases as readonly string[]).includes(type)) phases.push(type as HookPhase);
      else unknown.push(`${hookAnnotation}: ${type}`);
    }
  } else if (helmTypes.length > 0) {
    if (helmTypes.every((type) => type === 'crd-install')) return { kind: 'resource' };
    phases = [...new Set(helmTypes.flatMap((type) => (Object.hasOwn(helmHookPhases, type) ? [helmHookPhases[type]] : [])))];
  } else {
    return { kind: 'resource' };
  }

  const deletePolicies = new Set<HookDeletePolicy>();
  for (const policy of split(annotations[hookDeletePolicyAnnotation])) {
    if ((argoDeletePolicies as readonly string[]).includes(policy)) deletePolicies.add(policy as HookDeletePolicy);
    else unknown.push(`${hookDeletePolicyAnnotation}: ${policy}`);
  }
  for (const policy of split(annotations[helmHookDeletePolicyAnnotation])) {
    if (Object.hasOwn(helmDeletePolicies, policy)) deletePolicies.add(helmDeletePolicies[policy]);
    else unknown.push(`${helmHookDeletePolicyAnnotation}: ${policy}`);
  }
  if (deletePolicies.size === 0) deletePolicies.add('BeforeHookCreation');
  const timeout = annotations[hookTimeoutAnnotation];
  return {
    kind: 'hook', phases: [...new Set(phases)], deletePolicies: [...deletePolicies], unknown, helmTypes,
    timeoutMs: timeout === undefined ? defaultHookTimeoutMs : parseDuration(timeout) ?? { invalid: `${hookTimeoutAnnotation}: ${JSON.stringify(timeout)} is not a duration such as 90s, 5m or 1h` },
  };
}

/** `90s`, `5m`, `1h30m`, `250ms` or a plain number of seconds → milliseconds; undefined when not a positive duration. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) > 0 ? Number(text) * 1000 : undefined;
  const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  const total = parts.reduce((sum, part) => sum + Number(part[1]) * units[part[2]], 0);
  return total > 0 ? Math.round(total) : undefined;
}
