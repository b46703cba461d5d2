export {
  createGatewayApp, defaultMaxBodyBytes, defaultDedupeTtlSeconds, defaultWebhookRateLimit, type GatewayDeps, type WebhookRateLimit,
} from './app.ts';
export { defaultRejectionLogIntervalMs } from './rejections/rejection-recorder.ts';
export { startGateway, type StartGatewayOptions, type RunningGateway } from './start-gateway.ts';
export { webhookIngressFromEnv } from './env.ts';
export {
  affectedApplications, followsPushedRef, targetRevisionMatchesRef, isInside, type SourcePathsByApp,
} from './routing/affected-applications.ts';
export { gitProviders, type GitProvider, type NormalisedPush, type HeadCommit } from './push/normalised-push.ts';
export { createGitProviderAdapters } from './providers/adapters.ts';
export type { GitProviderAdapter, EventKind, RepositoryIdentifiers } from './providers/provider-adapter.ts';
export {
  GatewayHttpError, WebhookSignatureError, PayloadError, UnsupportedMediaTypeError, PayloadTooLargeError, ExternalServiceError,
  RateLimitedError, rejectionReasons, type RejectionReason,
} from './errors/http-errors.ts';
