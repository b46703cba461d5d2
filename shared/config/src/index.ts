/**
 * @tidewater/config — Tidewater's configuration: Kubernetes-style YAML documents (Argo CD `Application` and
 * `AppProject` as written for Argo CD, Tidewater's `Repository` and `Cluster`), loaded from a directory or a
 * Git repository and validated with zod.
 *
 * Error handling:
 * - `loadConfigDir` and `loadConfigFromGit` collect every error of a load and throw one `ConfigLoadError`
 *   (`errors: ConfigError[]`, plus the `warnings`); on success the config carries its `warnings`.
 * - `checkConfigDir`, `buildConfig` and `parseConfigText` never throw; they return `{ config, errors, warnings }`.
 *   `parseConfigText` checks one file's documents only; duplicate names and unknown projects are checked
 *   across files by `buildConfig` / `checkConfigDir` / `loadConfigDir`.
 * - A `ConfigError` names the file, the 0-based document index, the document's metadata.name and the
 *   field (`spec.source.helm.parameters[0].name`): `apps/web.yaml: document 2 (web-dev): spec.destination: …`.
 *   Messages never contain configured values, so they are safe to log.
 * - Unsupported Argo CD fields (anything outside the schemas, e.g. `spec.sources`, `spec.source.plugin`) and
 *   unsupported sync options are warnings, never silently dropped. Other kinds are kept raw in
 *   `otherDocuments` (with a "kind X is not handled yet" warning, except Tidewater's ImagePolicy and
 *   NotificationChannel). Tidewater `Pipeline` documents are validated and checked (stages, sources, Applications,
 *   expressions, step configs) into `config.pipelines`. Inline secrets and `v1 Secret` documents are errors.
 * - Secret references outside the process's secret scope (TIDEWATER_SECRET_ENV_PREFIX, TIDEWATER_SECRET_DIRS;
 *   see secrets.ts) are errors naming the field; `resolveSecret` enforces the same scope when reading.
 */
export { ConfigError, ConfigLoadError, formatFieldPath, type ConfigLocation, type ConfigWarning } from './errors.ts';
export { buildConfig, parseConfigText, type ApplicationLocation, type ConfigFile, type ConfigLoadResult, type TidewaterConfig } from './build-config.ts';
export { checkConfigDir, loadConfigDir, type LoadDirOptions } from './load-dir.ts';
export { ConfigSourceError, configSourceHead, loadConfigFromGit, type GitConfigSource } from './load-git.ts';
export { createLiveConfig, configPollIntervalMsFrom, defaultConfigPollIntervalMs, type ConfigReloadTrigger, type LiveConfig, type LiveConfigLogger, type LiveConfigOptions } from './live-config.ts';

export {
  ApplicationDestination,
  ApplicationSource,
  ApplicationSpec,
  ArgoApplication,
  DirectorySource,
  HelmParameter,
  HelmSource,
  isAutomatedSync,
  KustomizeSource,
  ResourceIgnoreDifferences,
  RetryStrategy,
  SyncPolicy,
} from './schema/application.ts';
export { AppProject, AppProjectSpec, defaultAppProject, GroupKind, ProjectDestination } from './schema/app-project.ts';
export { ObjectMeta, ObjectName } from './schema/object-meta.ts';
export { findSecretRefs, SecretRef, type FoundSecretRef } from './schema/secret-ref.ts';
export {
  Cluster,
  ClusterSpec,
  GitProvider,
  laterTidewaterKinds,
  Repository,
  RepositorySpec,
  tidewaterApiVersion,
  webhookSecretRefsOf,
} from './schema/tidewater.ts';

export { normalizeRepoUrl, sameRepo } from './repo-url.ts';
export { exitOnUnresolvedSecrets, unresolvedSecrets, type SecretNeeds } from './required-secrets.ts';
export {
  defaultSecretDirs, defaultSecretEnvPrefix, describeSecretRef, resolveSecret, secretRefScopeProblem, secretScopeFromEnv, secretScopeVariables,
  SecretRefError, type SecretScope,
} from './secrets.ts';
export {
  applicationSyncOptions,
  checkSyncOptions,
  parseSyncOptions,
  resourceSyncOptions,
  syncOptionsAnnotation,
  type OperationSyncOptions,
  type SyncOptionFinding,
  type SyncOptions,
} from './sync-options.ts';
export { syncWaveAnnotation, syncWaveOf } from './sync-wave.ts';
export { globMatch, type GlobOptions } from './glob.ts';
export { projectPermits, type PermitDecision, type PermitRequest } from './project-rules.ts';
export { loadConfigSource, parseConfigSource } from './load-source.ts';

export {
  ApplicationSet,
  ApplicationSetSpec,
  ApplicationSetSyncPolicy,
  ApplicationSetTemplate,
  applicationSetAnnotation,
  ApplicationsSyncPolicy,
  applicationsSyncPolicies,
} from './applicationset/schema.ts';
export { evaluateApplicationSet, type EvaluationInputs, type EvaluationResult, type GeneratedApplication } from './applicationset/evaluate.ts';
export { clusterLabels, gitGeneratorSources, usesGit, type GitTree } from './applicationset/generators.ts';
export { applyGeneration, resolveConflicts, type GenerationGuard, type GenerationOutcome } from './applicationset/generation-policy.ts';
export { generateApplications, type ApplicationSetReport, type PublishedSet } from './applicationset/config-view.ts';
export { goTemplateFunctions } from './applicationset/go-template.ts';
export { createPublishedConfigView, publishedSetNames, withPublishedSets, type LoaderSetMemory, type RawPublishedSet } from './applicationset/published-sets.ts';
export { fluxDependencies } from './flux/depends-on.ts';
export { fluxReadinessAnnotation, fluxReadinessOf, FluxReadiness, FluxHealthCheck, parseFluxDuration, defaultFluxTimeoutMs } from './flux/readiness.ts';
export {
  collectImagePolicies, imagePoliciesFromAnnotations, imagePoliciesOf, imagePolicyFromTidewater, imageUpdaterPrefix, normaliseImageName,
  policiesWatching, registryHostOf, splitImageReference, TidewaterImagePolicy, TidewaterImagePolicySpec,
  type ImagePolicy, type ImagePullRequestSettings, type PullRequestProvider, type ImageUpdateStrategy, type ImageWriteBackTarget,
  isBranchTemplate, renderBranchTemplate, type BranchTemplateImage,
} from './images/index.ts';
export {
  ApprovalPolicy, Duration, FreightSource, Gate, PipelineDocument, pipelineSecretRefs, PipelineSpec, PipelineStage, PromotionStep, PromotionStepName, type Pipeline,
} from './pipelines/pipeline.ts';
export {
  evaluateExpression, expressionContextRoots, parseExpression,
  type EvaluateExpressionResult, type ExpressionContext, type ParsedExpression, type ParseExpressionResult,
} from './pipelines/expression.ts';
export {
  ArgocdUpdateConfig, BranchPromoteConfig, checkStepConfig, GitCloneConfig, GitCommitConfig, GitOpenPrConfig, GitPushConfig, GitWaitForPrConfig,
  KustomizeSetImageConfig, stepConfigSchemas, YamlUpdateConfig, type StepConfigProblem,
} from './pipelines/step-config.ts';
export { checkPipeline, type PipelineCheck, type PipelineCheckOptions, type PipelineFinding } from './pipelines/check-pipeline.ts';
export { collectPipelines, type CollectedPipelines, type CollectPipelinesOptions } from './pipelines/collect-pipelines.ts';
export { pipelineSourcePolicyId, sourceImagePolicies, type SourceImagePolicies, type SourcePolicyFinding } from './pipelines/source-image-policies.ts';
export { isKargoDocument, translateKargo } from './pipelines/kargo-translate.ts';
export { kargoApiVersion, kargoKinds } from './pipelines/kargo-schema.ts';
export { isGitopsPromoterDocument, translateGitopsPromoter } from './pipelines/gitops-promoter-translate.ts';
export { promoterApiVersion, promoterKinds } from './pipelines/gitops-promoter-schema.ts';
export type { ForeignDocument, LocatedFinding, TranslatedPipeline, Translation } from './pipelines/translation.ts';
