import type { ResourceInfo } from '../discovery/resource-discovery.ts';
import type { ObjectRef } from './object-ref.ts';

/** `/apis/apps/v1/namespaces/demo/deployments/web` (or `/api/v1/...` for the core group). */
export function resourcePath(ref: ObjectRef, info: Pick<ResourceInfo, 'resource' | 'namespaced'>): string {
  const base = ref.group ? `/apis/${ref.group}/${ref.version}` : `/api/${ref.version}`;
  const scope = info.namespaced ? `/namespaces/${encodeURIComponent(ref.namespace ?? 'default')}` : '';
  return `${base}${scope}/${info.resource}/${encodeURIComponent(ref.name)}`;
}
