import type { KubernetesObject } from '@tidewater/queues';
import type { ObjectRef } from '../apply/object-ref.ts';

export type HookState =
  | { done: false; message?: string }
  | { done: true; succeeded: boolean; message: string };

interface Condition { type?: string; status?: string; reason?: string; message?: string }

/**
 * Whether a hook has finished, as Argo CD judges it: a Job by its Complete/Failed condition, a Pod by its phase,
 * an Argo Workflow by its phase; any other kind is done once it exists.
 */
export function hookStateOf(ref: Pick<ObjectRef, 'group' | 'kind'>, live: KubernetesObject): HookState {
  const status = (live.status ?? {}) as { conditions?: Condition[]; phase?: string; message?: string; active?: number };
  if (ref.group === 'batch' && ref.kind === 'Job') {
    const conditions = status.conditions ?? [];
    const failed = conditions.find((condition) => condition.type === 'Failed' && condition.status === 'True');
    if (failed) return { done: true, succeeded: false, message: [failed.reason, failed.message].filter(Boolean).join(': ') || 'Job failed' };
    const complete = conditions.find((condition) => condition.type === 'Complete' && condition.status === 'True');
    if (complete) return { done: true, succeeded: true, message: 'Job completed' };
    return { done: false, message: status.active ? `${status.active} pod(s) running` : 'waiting for the Job to start' };
  }
  if (ref.group === '' && ref.kind === 'Pod') {
    if (status.phase === 'Succeeded') return { done: true, succeeded: true, message: 'Pod succeeded' };
    if (status.phase === 'Failed') return { done: true, succeeded: false, message: status.message || 'Pod failed' };
    return { done: false, message: `Pod is ${status.phase ?? 'Pending'}` };
  }
  if (ref.group === 'argoproj.io' && ref.kind === 'Workflow') {
    if (status.phase === 'Succeeded') return { done: true, succeeded: true, message: 'Workflow succeeded' };
    if (status.phase === 'Failed' || status.phase === 'Error') return { done: true, succeeded: false, message: status.message || `Workflow ${status.phase}` };
    return { done: false, message: `Workflow is ${status.phase ?? 'Pending'}` };
  }
  return { done: true, succeeded: true, message: `${ref.kind} created` };
}
