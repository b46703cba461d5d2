/** Every event type Tidewater publishes. Consumers match on these strings; keep them stable. */
export const eventTypes = {
  webhookReceived: 'dev.tidewater.webhook.received',
  webhookRejected: 'dev.tidewater.webhook.rejected',
  renderStarted: 'dev.tidewater.render.started',
  renderSucceeded: 'dev.tidewater.render.succeeded',
  renderFailed: 'dev.tidewater.render.failed',
  syncStarted: 'dev.tidewater.sync.started',
  syncSucceeded: 'dev.tidewater.sync.succeeded',
  syncFailed: 'dev.tidewater.sync.failed',
  resourcePruned: 'dev.tidewater.resource.pruned',
} as const;

export type EventType = (typeof eventTypes)[keyof typeof eventTypes];
