export { createPromoter, type Promoter, type PromoterDeps } from './promoter.ts';
export { processImageJob, type ImageJobDeps, type ImageJobResult } from './process-image-job.ts';
export { createRegistryClient, type RegistryClient, type RegistryClientOptions } from './registry/registry-client.ts';
export { decideTag, bestTag, tagAllowed, type TagDecision } from './policy/tag-decision.ts';
export { defaultCommitAuthor, defaultCommitMessage } from './write-back/commit-message.ts';
export { parsePromoterEnv, PromoterEnv, promoterGitCredentialsFromEnv, registryCredentialsFromEnv } from './env.ts';
export { createPromoterGit, type PromoterGit, type PromoterGitOptions } from './git/promoter-git.ts';
export { createPipelineEngine, type PipelineEngine, type PipelineEngineDeps } from './pipelines/pipeline-engine.ts';
export { freightAlias, freightId, canonicalArtifacts, type SourceArtifact } from './pipelines/freight.ts';
