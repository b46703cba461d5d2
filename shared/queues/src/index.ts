export { queueNames, type QueueName } from './names.ts';
export { RenderJob, SyncJob, SyncOperation, ControlJob, ImageJob, HeadsJob, HeadsResult, Trigger, TraceCarrier, jobCatalogue, jobIds } from './payloads.ts';
export { redisKeys, eventsStream } from './keys.ts';
export type { RenderedBundle, KubernetesObject, ObjectOutcome, ObjectResult, SyncResult, HealthStatus, ObjectHealth, AppHealth, SyncHistoryEntry, SyncRetryState, AppComparison, ComparedObject, ComparisonStatus } from './bundle.ts';
export { createRedisConnection, redactRedisUrl, redisOptionsFor, RedisConfigError, type RedisEnv } from './connection.ts';
export {
  BundleSigningKey, bundleSigningKeyFromEnv, canonicalBundleJson, describeBundleRefusal, generateBundleSigningKey, loadOrCreateBundleKeyFile, minimumBundleKeyLength,
  requireBundleSigningKey, signBundle, verifyBundleSignature, type BundleKeyEnv, type BundleVerdict,
} from './bundle-signature.ts';
export { createProducers, readDesiredRevision, priorityOf, reconcilePriority, type Producers, type DesiredRevision } from './producers.ts';
export {
  StoredSyncResult, StoredComparison, StoredAppHealth, StoredAppDrift, StoredHistoryEntry, StoredPause, StoredBundle,
  readAppStates, readSyncHistory, readBundle, type AppState, type UnreadableRecord,
} from './app-state.ts';
export { publishConfigChange, subscribeConfigChanges, type ConfigChange } from './config-changes.ts';
export {
  GeneratedApplicationSet, readGeneratedApplicationSets, writeGeneratedApplicationSet,
  RememberedApplicationSet, readRememberedApplicationSets, rememberedApplicationSetsKey, writeRememberedApplicationSet,
} from './generated-set.ts';
export { createImageProducer, type ImageProducer } from './image-producer.ts';
export {
  applyImageOverride, ImageOverride, imageOverrideFingerprint, imageOverrideKey, kustomizeImageName, readImageOverride, writeImageOverride,
} from './image-override.ts';
export {
  pipelineKeys, StoredFreight, StoredPromotion, PromotionStepState, StoredApproval, StoredGateWait, StoredStageState, StoredHold,
  StoredApprovalRequest, StoredApprovalDecision, StoredPromotionRequest, StoredCommitStatus, parseStored, readFreight, listFreightIds,
  resolveFreight, readStageRecords, readStageHistory, readCommitStatuses, type StageRecords,
} from './pipeline-state.ts';
