export { eventTypes, type EventType } from './catalogue.ts';
export { makeCloudEvent, traceCarrierOf, type CloudEvent, type EventData, type NewEvent } from './envelope.ts';
export { createEventPublisher, readAllEvents, eventsStreamKey, type EventPublisher } from './publisher.ts';
export { createEventConsumer, type EventConsumer, type EventConsumerOptions, type StreamEntry } from './consumer.ts';
export { ImageDiscoveredData, ImagePinnedData, ImageUpdatedData, ImageUpdateFailedData } from './image-events.ts';
export { AppOutOfSyncData, SyncRetryScheduledData, SyncTerminatedData } from './event-data.ts';
export { PipelineEventData } from './pipeline-events.ts';
