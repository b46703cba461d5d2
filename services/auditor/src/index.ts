export { openAuditLog, auditFileName, headFileName, type AuditLog, type AuditLogOptions, type AuditPage } from './log/audit-log.ts';
export { genesisHash, hashRecord, sealRecord, compareStreamIds, type AuditRecord } from './log/audit-record.ts';
export { canonicalJson } from './log/canonical-json.ts';
export { typeMatches, type AuditQuery } from './log/audit-query.ts';
export { verifyAuditFile, readHead, type VerifyResult, type VerifyOptions, type LogHead } from './log/verify-log.ts';
export { AuditLogLockedError, AuditStorageError } from './log/storage-errors.ts';
export {
  createAuditConsumer, defaultAuditGroup, type AuditConsumer, type AuditConsumerOptions, type AuditConsumerStatus,
} from './consume/audit-consumer.ts';
export { checkRetention, type RetentionStatus } from './consume/retention-check.ts';
export { malformedEntryType } from './consume/stream-entries.ts';
export {
  AuditSinkDocument, AuditSinkSpec, auditSinkFromEnv, auditSinksFromConfig, resolveAuditSink, defaultSinkSettings, type HttpAuditSink,
} from './forward/audit-sink-config.ts';
export { createHttpForwarder, type HttpForwarder, type HttpForwarderOptions, type ForwarderStatus } from './forward/http-forwarder.ts';
export { computeDora, doraEventTypes, type DoraMetrics, type DoraOptions, type DoraReport, type DurationSummary } from './dora/compute-dora.ts';
export {
  environmentFromApplication, environmentFromSuffix, explicitEnvironment, environmentKey, unknownEnvironment,
} from './dora/environment.ts';
export { createAuditApi, type AuditApiDeps } from './http/audit-api.ts';
export { startAuditor, type StartAuditorOptions, type RunningAuditor } from './start-auditor.ts';
export { parseAuditorEnv, defaultAuditDir, AuditorEnv } from './env.ts';
