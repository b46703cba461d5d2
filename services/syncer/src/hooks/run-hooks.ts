import type { ObjectResult } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { isRetryableStatus, retryableStatusError, statusMessage } from '../clusters/api-status.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { describeObject } from '../apply/object-ref.ts';
import { deleteAndWait } from '../apply/recreate-object.ts';
import { resourcePath } from '../apply/resource-path.ts';
import { applyObject } from '../apply/server-side-apply.ts';
import { isTrackedBy } from '../apply/tracking.ts';
import type { HookPhase } from './hook-annotations.ts';
import { hookStateOf } from './hook-completion.ts';
import type { PlannedHook } from './plan-hooks.ts';
import { waitForHook } from './wait-for-hook.ts';
import { waitForSettledHealth } from './wait-for-healthy.ts';
import type { PlannedObject } from '../apply/sync-plan.ts';
import { defaultHookTimeoutMs } from './hook-annotations.ts';

export interface HookRunDeps {
  transport: KubeTransport;
  app: string;
  logger: Logger;
  /** Stops waiting for hooks (a terminated sync operation). */
  signal?: AbortSignal;
}

/** One sync operation's hooks, run phase by phase and wave by wave. */
export interface HookRun {
  /** Runs every hook of the phase, lowest wave first; the failure message, or undefined when all succeeded. */
  runPhase(phase: Exclude<HookPhase, 'Sync' | 'PostSync' | 'PostDelete'>): Promise<string | undefined>;
  /**
   * PostSync, as Argo CD runs it: once the applied objects are no longer Progressing (waiting at most the longest
   * PostSync hook timeout); a Degraded object fails the sync without running the hooks.
   */
  runPostSync(appliedObjects: readonly Pick<PlannedObject, 'ref' | 'info'>[]): Promise<string | undefined>;
  /** Runs the Sync hooks of every wave up to and including `wave` that have not run yet. */
  runSyncHooksThrough(wave: number): Promise<string | undefined>;
  /** Hook outcomes, in the order they finished. */
  readonly results: ObjectResult[];
}

const identityOf = (hook: PlannedHook) => {
  const { group, kind, namespace, name } = hook.planned.ref;
  return { group, kind, namespace, name };
};

/** Hooks run in waves: each wave's hooks are created together and all must finish before the next wave. */
export function createHookRun(hooks: readonly PlannedHook[], deps: HookRunDeps): HookRun {
  const results: ObjectResult[] = [];
  const syncHooksRun = new Set<PlannedHook>();

  async function runWaves(phase: HookPhase, phaseHooks: readonly PlannedHook[]): Promise<string | undefined> {
    const waves = [...new Set(phaseHooks.map((hook) => hook.planned.wave))].sort((a, b) => a - b);
    for (const wave of waves) {
      const inWave = phaseHooks.filter((hook) => hook.planned.wave === wave);
      deps.logger.info({ phase, wave, hooks: inWave.map((hook) => describeObject(hook.planned.ref)) }, 'running hooks');
      const outcomes = await Promise.all(inWave.map((hook) => runHook(phase, hook)));
      results.push(...outcomes);
      const failed = outcomes.filter((outcome) => outcome.outcome === 'failed');
      if (failed.length > 0) {
        const more = failed.length > 1 ? ` (and ${failed.length - 1} more ${phase} hooks failed)` : '';
        return `${failed[0].message}${more}`;
      }
    }
    return undefined;
  }

  async function runHook(phase: HookPhase, hook: PlannedHook): Promise<ObjectResult> {
    const { transport } = deps;
    const { planned, spec } = hook;
    const identity = identityOf(hook);
    const name = `${phase} hook ${describeObject(planned.ref)}`;
    const fail = (message: string): ObjectResult => ({ ...identity, outcome: 'failed', message: `${name} failed: ${message}` });
    if (typeof spec.timeoutMs === 'object') return fail(spec.timeoutMs.invalid);

    const path = resourcePath(planned.ref, planned.info);
    const live = await transport.request<{ metadata?: { uid?: string; annotations?: Record<string, string> } }>({ method: 'GET', path });
    if (isRetryableStatus(live.status)) throw retryableStatusError(transport.clusterName, live, `reading ${describeObject(planned.ref)}`);
    if (live.status === 200) {
      if (!isTrackedBy(deps.app, planned.ref, live.body.metadata?.annotations)) {
        return fail(`${describeObject(planned.ref)} already exists and is not a hook of application ${deps.app}; it is left alone`);
      }
      if (spec.deletePolicies.includes('BeforeHookCreation')) {
        const notDeleted = await deleteAndWait(transport, planned, { uid: live.body.metadata?.uid, signal: deps.signal });
        if (notDeleted) return fail(`deleting the previous run (BeforeHookCreation): ${notDeleted}`);
      }
    } else if (live.status !== 404) {
      return fail(`cannot read it: ${live.status} ${statusMessage(live)}`);
    }

    const applied = await applyObject(transport, planned);
    if (applied.outcome === 'failed') return fail(applied.message ?? 'not applied');
    const finished = await waitForHook(transport, planned, { timeoutMs: spec.timeoutMs, signal: deps.signal, stateOf: hookStateOf });
    if (finished.kind === 'timeout') {
      return fail(`did not complete within ${formatDuration(spec.timeoutMs)} (last seen: ${finished.lastMessage}); set the annotation tidewater.dev/hook-timeout for a longer limit`);
    }
    if (finished.kind === 'aborted') return fail('stopped waiting: the sync operation was terminated');
    if (finished.kind === 'gone') return fail('it was deleted before it completed');
    const succeeded = finished.state.succeeded;
    const deleteNow = spec.deletePolicies.includes(succeeded ? 'HookSucceeded' : 'HookFailed');
    if (deleteNow) {
      const deleted = await transport.request({ method: 'DELETE', path, body: { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' } });
      if (deleted.status !== 200 && deleted.status !== 202 && deleted.status !== 404) {
        deps.logger.warn({ hook: describeObject(planned.ref), status: deleted.status }, 'hook could not be deleted after it finished');
      }
    }
    const ignored = spec.unknown.length > 0 ? `; ignored ${spec.unknown.join(', ')}` : '';
    const cleanup = `${deleteNow ? `; deleted (${succeeded ? 'HookSucceeded' : 'HookFailed'})` : ''}${ignored}`;
    if (!succeeded) return fail(`${finished.state.message}${cleanup}`);
    return { ...identity, outcome: applied.outcome === 'unchanged' ? 'configured' : applied.outcome, message: `${phase} hook succeeded: ${finished.state.message}${cleanup}` };
  }

  return {
    results,
    runPhase(phase) {
      return runWaves(phase, hooks.filter((hook) => hook.spec.phases.includes(phase)));
    },
    async runPostSync(appliedObjects) {
      const postSync = hooks.filter((hook) => hook.spec.phases.includes('PostSync'));
      if (postSync.length === 0) return undefined;
      const timeoutMs = Math.max(...postSync.map((hook) => (typeof hook.spec.timeoutMs === 'number' ? hook.spec.timeoutMs : defaultHookTimeoutMs)));
      const unsettled = await waitForSettledHealth(deps.transport, appliedObjects, { timeoutMs, signal: deps.signal });
      if (unsettled) return `PostSync hooks not run: ${unsettled}`;
      return runWaves('PostSync', postSync);
    },
    async runSyncHooksThrough(wave) {
      const due = hooks.filter((hook) => hook.spec.phases.includes('Sync') && hook.planned.wave <= wave && !syncHooksRun.has(hook));
      for (const hook of due) syncHooksRun.add(hook);
      return due.length > 0 ? runWaves('Sync', due) : undefined;
    },
  };
}

function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
