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
  healthChanged: 'dev.tidewater.health.changed',
  driftDetected: 'dev.tidewater.drift.detected',
  driftHealed: 'dev.tidewater.drift.healed',
  /** Self-heal backs off: another controller keeps changing what Tidewater applies. */
  driftContested: 'dev.tidewater.drift.contested',
  reconcileStarted: 'dev.tidewater.reconcile.started',
  /** syncer live state: a watch of one resource type on one cluster cannot be re-established (`cluster`, `resource`, `reason`). */
  watchFailed: 'dev.tidewater.watch.failed',
  /** syncer live state: that watch works again. */
  watchRestored: 'dev.tidewater.watch.restored',
  rollbackRequested: 'dev.tidewater.rollback.requested',
  syncPaused: 'dev.tidewater.sync.paused',
  syncResumed: 'dev.tidewater.sync.resumed',
  /** notifier: one message delivered to one channel (`channel`, `trigger`, `app`, `revision`). */
  notificationSent: 'dev.tidewater.notification.sent',
  /** notifier: a message given up on, with `reason` (status code, never the URL or token). */
  notificationFailed: 'dev.tidewater.notification.failed',
  /** notifier: a channel failing repeatedly (or gone: 404/410, revoked token) is paused for a cool-down. */
  notificationChannelUnhealthy: 'dev.tidewater.notification.channel-unhealthy',
  /** auditor: events were removed from the stream before the auditor appended them (`group`, `missingEvents`, `lastAppendedStreamId`, `firstStreamId`). */
  auditGap: 'dev.tidewater.audit.gap',
  /** auditor: an audit sink (forwarder) is failing (`sink` name, `reason`: status or error code, never the URL); retried until it recovers. */
  auditForwardFailed: 'dev.tidewater.audit.forward-failed',
  /** auditor: a failing audit sink accepts records again and catches up (`sink`, `failedForMs`). */
  auditForwardRecovered: 'dev.tidewater.audit.forward-recovered',
  /** api: an operator asked for an operation (`operation`: sync, rollback, terminate, resume, diff; `app`, `actor`, `jobId`). */
  operationRequested: 'dev.tidewater.operation.requested',
  /** api: a password login succeeded (`actor`) or failed (`account`, `reason`; never the password). */
  loginSucceeded: 'dev.tidewater.session.created',
  loginFailed: 'dev.tidewater.session.login-failed',
  /** api: a token was issued or revoked (`actor`, `account` or `project`/`role`, `tokenId`; never the token). */
  tokenCreated: 'dev.tidewater.token.created',
  tokenRevoked: 'dev.tidewater.token.revoked',
  /** api: an account's password was changed (`actor`, `account`). */
  passwordChanged: 'dev.tidewater.account.password-changed',
  /** An ApplicationSet's generated set changed (`applicationSet`, `created`, `updated`, `deleted`, `revisions`). */
  applicationSetGenerated: 'dev.tidewater.applicationset.generated',
  /** An ApplicationSet could not be evaluated or looked wrong; its previous set is kept (`applicationSet`, `problem`). */
  applicationSetFailed: 'dev.tidewater.applicationset.failed',
} as const;

export type EventType = (typeof eventTypes)[keyof typeof eventTypes];
