export { queueNames, type QueueName } from './names.ts';
export { RenderJob, SyncJob, SyncOperation, ControlJob, HeadsJob, HeadsResult, Trigger, TraceCarrier, jobCatalogue, jobIds } from './payloads.ts';
export { redisKeys, eventsStream } from './keys.ts';
export type { RenderedBundle, KubernetesObject, ObjectOutcome, ObjectResult, SyncResult, HealthStatus, ObjectHealth, AppHealth, SyncHistoryEntry, SyncRetryState, AppComparison, ComparedObject, ComparisonStatus } from './bundle.ts';
export { createRedisConnection } from './connection.ts';
export { createProducers, readDesiredRevision, type Producers, type DesiredRevision } from './producers.ts';
export { publishConfigChange, subscribeConfigChanges, type ConfigChange } from './config-changes.ts';
