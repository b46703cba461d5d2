/** Kinds that have no health of their own: they exist or they do not. */
const kindsWithoutHealth: ReadonlySet<string> = new Set([
  '/ConfigMap', '/Secret', '/ServiceAccount', '/Endpoints', '/LimitRange', '/ResourceQuota', '/PodTemplate', '/Event',
  'discovery.k8s.io/EndpointSlice',
  'rbac.authorization.k8s.io/Role', 'rbac.authorization.k8s.io/RoleBinding',
  'rbac.authorization.k8s.io/ClusterRole', 'rbac.authorization.k8s.io/ClusterRoleBinding',
  'networking.k8s.io/NetworkPolicy', 'networking.k8s.io/IngressClass',
  'policy/PodDisruptionBudget',
  'storage.k8s.io/StorageClass', 'storage.k8s.io/CSIDriver',
  'scheduling.k8s.io/PriorityClass', 'node.k8s.io/RuntimeClass',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration', 'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy', 'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'coordination.k8s.io/Lease',
]);

/** `group/Kind` keys (`/Pod` for the core group), as in the health tables. */
export function groupKindKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** Whether the kind has no health of its own (ConfigMap, Secret, RBAC, …): always Healthy while it exists. */
export function hasNoHealthNotion(group: string, kind: string): boolean {
  return kindsWithoutHealth.has(groupKindKey(group, kind));
}

/**
 * Whether a kind's health is worth showing and waiting for. ConfigMaps, Secrets, RBAC and the like are Healthy
 * whenever they exist, so they add nothing but noise to an application's health; their absence still matters
 * (aggregate `missingHealth()` for them regardless).
 */
export function healthRelevant(kind: string, group: string): boolean {
  return !hasNoHealthNotion(group, kind);
}
