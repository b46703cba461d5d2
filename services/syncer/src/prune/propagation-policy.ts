import type { SyncOptions } from '@tidewater/config';

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan';

const policies = { foreground: 'Foreground', background: 'Background', orphan: 'Orphan' } as const;

/**
 * The `propagationPolicy` of prune deletions: PrunePropagationPolicy when written (in the Application's or the
 * operation's sync options), else Background. Argo CD defaults to foreground; Tidewater does not, so that an
 * object is gone when its prune is reported, even on a cluster without a garbage collector.
 */
export function prunePropagationPolicy(options: SyncOptions): PropagationPolicy {
  return options.prunePropagationPolicyWritten ? policies[options.prunePropagationPolicy] : 'Background';
}
