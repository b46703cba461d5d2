export { queueNames, type QueueName } from './names.ts';
export { RenderJob, SyncJob, ControlJob, ImageJob, Trigger, TraceCarrier, jobCatalogue, jobIds } from './payloads.ts';
export { redisKeys, eventsStream } from './keys.ts';
export type { RenderedBundle, KubernetesObject, ObjectOutcome, ObjectResult, SyncResult, HealthStatus, ObjectHealth, AppHealth, SyncHistoryEntry } from './bundle.ts';
export { createRedisConnection } from './connection.ts';
export { createProducers, readDesiredRevision, type Producers, type DesiredRevision } from './producers.ts';
export { createImageProducer, type ImageProducer } from './image-producer.ts';
