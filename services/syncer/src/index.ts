export { createSyncer, type Syncer, type SyncerDeps } from './syncer.ts';
export { processSyncJob, countOutcomes, lockedRetryDelayMs, type SyncProcessorDeps, type SyncJobOutcome } from './sync/process-sync-job.ts';
export { runSync, type RunSyncInput, type RunSyncOutput } from './sync/run-sync.ts';
export { tryAcquireAppLock, appLockKey, type AppLock } from './sync/app-lock.ts';
export {
  createClusterRegistry, kubeConfigFor, inClusterName, inClusterServer,
  type ClusterClient, type ClusterRegistry, type ClusterRegistryOptions,
} from './clusters/cluster-registry.ts';
export { createKubeTransport, type KubeTransport, type KubeRequest, type KubeResponse } from './clusters/kube-transport.ts';
export { createResourceDiscovery, type ResourceDiscovery, type ResourceInfo } from './discovery/resource-discovery.ts';
export { fieldManager, applyObject } from './apply/server-side-apply.ts';
export { trackingLabel, trackingAnnotation, trackingIdOf, isTrackedBy } from './apply/tracking.ts';
export { kindOrder, orderSteps, desiredManifest, type PlannedObject, type SyncStep } from './apply/sync-plan.ts';
export { describeObject, type ObjectRef } from './apply/object-ref.ts';
export { checkProjectGuardrails } from './guardrails/project-guardrails.ts';
export { inventoryKey, readInventory, type InventoryEntry } from './prune/inventory.ts';
export { ExternalServiceError } from './errors/external-service-error.ts';
export { SyncFailure, GuardrailViolation } from './errors/sync-failure.ts';
