import { describeObject, type ObjectRef } from './object-ref.ts';
import { trackingAppOf } from './tracking.ts';

/**
 * FailOnSharedResource=true: the message naming both applications when the live object is already tracked by
 * another application, else undefined (Argo CD then only warns and applies).
 */
export function sharedResourceConflict(
  app: string,
  ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>,
  liveMetadata: { labels?: Record<string, string>; annotations?: Record<string, string> } | undefined,
): string | undefined {
  const owner = trackingAppOf(liveMetadata);
  if (owner === undefined || owner === app) return undefined;
  return `${describeObject(ref)} is already managed by application ${owner}; application ${app} has sync option FailOnSharedResource=true, so it is not applied`;
}
