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
  /** syncer: a comparison found the app's live state differs from its desired revision (data: AppOutOfSyncData). */
  appOutOfSync: 'dev.tidewater.app.out-of-sync',
  /** syncer: a failed automated sync will be retried (`attempt`, `limit`, `nextAttemptAt`, `waitingFor`). */
  syncRetryScheduled: 'dev.tidewater.sync.retry-scheduled',
  /** syncer: an operator terminated the app's running sync operation. */
  syncTerminated: 'dev.tidewater.sync.terminated',
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
  /** auditor: the audit log cannot be written (`code`: ENOSPC, EIO …); the events stay unacknowledged and are appended when it can. */
  auditWriteFailed: 'dev.tidewater.audit.write-failed',
  /** auditor: the audit log is written again and caught up (`failedForMs`). */
  auditWriteRecovered: 'dev.tidewater.audit.write-recovered',
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
  /** promoter: a registry push reached an image policy (`app`, `policy`, `image`, `tag`, `digest`); see image-events.ts. */
  imageDiscovered: 'dev.tidewater.image.discovered',
  /** promoter: a new image was committed to Git (`app`, `image`, `oldTag` → `newTag`, `oldDigest` → `newDigest`, `commit`). */
  imageUpdated: 'dev.tidewater.image.updated',
  /** promoter: an image update failed for good (`app`, `image`, `tag`, `reason`); reported once, after the last retry. */
  imageUpdateFailed: 'dev.tidewater.image.update-failed',
  /** promoter: a newer image was not applied because the app is pinned (paused after a rollback or a Git revert). */
  imagePinned: 'dev.tidewater.image.pinned',
  /** promoter: a new freight (content-addressed artifacts) of a pipeline (`pipeline`, `freight`, `alias`); see pipeline-events.ts. */
  freightCreated: 'dev.tidewater.freight.created',
  /** promoter or api: a promotion of a freight to a stage was asked for (auto: an approval request; manual: `actor`). */
  promotionRequested: 'dev.tidewater.promotion.requested',
  /** api: an approver approved (`actor`, `comment`) or rejected a freight for a stage. */
  promotionApproved: 'dev.tidewater.promotion.approved',
  promotionRejected: 'dev.tidewater.promotion.rejected',
  /** api: an approval was refused (no approver role, self-approval, expired): audited (`actor`, `reason`). */
  promotionApprovalDenied: 'dev.tidewater.promotion.approval-denied',
  /** promoter: a promotion's steps started / all succeeded (`revision`, `approvals`) / one failed (`reason`). */
  promotionStarted: 'dev.tidewater.promotion.started',
  promotionSucceeded: 'dev.tidewater.promotion.succeeded',
  promotionFailed: 'dev.tidewater.promotion.failed',
  /** api: a stage was held (rollback, an older freight promoted) or released (`actor`). */
  stageHeld: 'dev.tidewater.stage.held',
  stageReleased: 'dev.tidewater.stage.released',
  /** promoter: a gate of a stage passed or failed for a freight (`gate`, `reason`), on each change. */
  gatePassed: 'dev.tidewater.gate.passed',
  gateFailed: 'dev.tidewater.gate.failed',
  /** api: an external system set a commit status of a pipeline (`pipeline`, `reason`: key=state, `actor`). */
  commitStatusSet: 'dev.tidewater.pipeline.commit-status',
} as const;

export type EventType = (typeof eventTypes)[keyof typeof eventTypes];
