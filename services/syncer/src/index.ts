export { createSyncer, type Syncer, type SyncerDeps } from './syncer.ts';
export { processSyncJob, countOutcomes, lockedRetryDelayMs, type SyncProcessorDeps, type SyncJobOutcome } from './sync/process-sync-job.ts';
export { runSync, type RunSyncInput, type RunSyncOutput } from './sync/run-sync.ts';
export { tryAcquireAppLock, appLockKey, appLockFenceKey, defaultAppLockTtlMs, AppLockLost, type AppLock } from './sync/app-lock.ts';
export { createLeaderElection, leaderKey, leaderFenceKey, type LeaderElection, type LeaderElectionDeps } from './leader/leader-election.ts';
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
// --- history, rollback and operator control (diff · rollback · resume) ---
export {
  readHistory, recordSyncHistory, historyEntryOf, historyLimitOf, lastHistoryId, historySequenceKey, defaultHistoryLimit,
} from './history/sync-history.ts';
export { chooseRollbackTarget } from './rollback/rollback-target.ts';
export { rollbackApplication, defaultRollbackTimeoutMs, type RollbackDeps, type RollbackRequest, type RollbackResult } from './rollback/rollback.ts';
export { resumeApplication, type ResumeDeps, type ResumeResult } from './rollback/resume.ts';
export { readPause, writePause, clearPause, type PauseRecord } from './rollback/pause.ts';
export { pushedRevisionsKey, latestPushedRevision } from './rollback/pushed-revisions.ts';
export { forgetFinishedWork, type WorkQueues } from './rollback/forget-finished-work.ts';
export { createControlWorker, type ControlWorker, type ControlWorkerDeps } from './control/control-worker.ts';
export {
  processControlJob, type ControlProcessorDeps, type ControlResult, type ControlJobContext, type DiffControlJob,
} from './control/process-control-job.ts';
export { ControlRequestRefused } from './control/control-errors.ts';
export { readLiveTree, type LiveTreeResult, type LiveTreeNode, type ParentRef } from './control/live-tree.ts';
export { readKubeEvents, type KubeEventsResult, type KubeEvent } from './control/kube-events.ts';
// --- live state (health, drift, self-heal), diff and periodic reconcile ---
export { createLiveState, type LiveState, type LiveStateDeps, type WatchInfo } from './live-state/live-state.ts';
export { createResourceWatch, resourceName, type ResourceWatch, type WatchStatus } from './live-state/resource-watch.ts';
export {
  recordAppliedBundle, readAppliedRecord, readAppliedBundle, appliedRecordKey, appliedBundleKey, type AppliedBundleRecord,
} from './live-state/applied-bundle.ts';
export { resolveDesiredObjects, type DesiredObject } from './live-state/desired-objects.ts';
export {
  waitForHealthAnnotation, healthWaitOf, waitForAppHealth, parseDuration, type HealthWaitOutcome,
} from './live-state/wait-for-health.ts';
export { readAppDrift, type AppDrift, type DriftedObject } from './drift/app-drift.ts';
export { compareWithDesired, differingFields, withoutServerFields, dryRunApply } from './drift/live-comparison.ts';
export { defaultSelfHealPolicy, type SelfHealPolicy } from './drift/self-heal.ts';
export { computeAppDiff, diffBundle, DiffUnavailable, type AppDiff, type ObjectDiff, type AppDiffDeps } from './diff/compute-app-diff.ts';
export { handleDiffJob, diffRequestHandler } from './diff/handle-diff-job.ts';
export { createReconcileLoop, reconcileLockKey, type ReconcileLoop, type ReconcileDeps, type ReconcileOutcome } from './reconcile/reconcile-loop.ts';
export { createRendererHeadResolver, type RendererHeadResolver } from './reconcile/renderer-heads.ts';
export { configChanges, type ConfigChanges } from './reconcile/config-changes.ts';
// --- manual sync, sync requests, terminate, retries ---
export { compareApplication } from './comparison/compare-application.ts';
export { readComparison, recordComparison } from './comparison/comparison-record.ts';
export { requestSyncOperation, type SyncRequestResult, type SyncControlJob } from './control/sync-request.ts';
export { terminateOperation, type TerminateResult } from './control/terminate-request.ts';
export { terminateRequestKey, watchTermination } from './sync/termination-watch.ts';
export { parseResourceSelector, parseResourceSelectors, isSelected, type ResourceSelector } from './sync/resource-selection.ts';
export { retryPolicyOf, retryDelayMs, retryAllowed, describeAttempt, defaultRetryBackoff, type RetryPolicy } from './retry/retry-policy.ts';
export { retryConditionsOf, describeCondition, type RetryCondition } from './retry/retry-waits.ts';
export { planRetry, type RetryDecision } from './retry/plan-retry.ts';
export { createRetryTriggers, type RetryTriggers } from './retry/retry-triggers.ts';
export { probeCluster, type ClusterProbe } from './clusters/cluster-probe.ts';
