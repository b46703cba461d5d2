/** Where an object lives, enough to address it in the API and to name it to an operator. */
export interface ObjectRef {
  group: string;
  version: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** `apps/v1` → { group: 'apps', version: 'v1' }; `v1` → core group ''. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function apiVersionOf(ref: Pick<ObjectRef, 'group' | 'version'>): string {
  return ref.group ? `${ref.group}/${ref.version}` : ref.version;
}

/** `ClusterRole rbac.authorization.k8s.io/foo`, `ConfigMap web in namespace demo`: how messages name an object. */
export function describeObject(ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  const where = ref.namespace ? ` in namespace ${ref.namespace}` : '';
  return `${ref.kind} ${ref.group ? `${ref.group}/` : ''}${ref.name}${where}`;
}

/** Identity of an object across API versions: a version bump in Git is the same object, not a prune and a create. */
export function objectKey(cluster: string, ref: Pick<ObjectRef, 'group' | 'kind' | 'namespace' | 'name'>): string {
  return `${cluster}|${ref.group}|${ref.kind}|${ref.namespace ?? ''}|${ref.name}`;
}
