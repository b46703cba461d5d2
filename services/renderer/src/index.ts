export { createRenderer, type Renderer } from './renderer.ts';
export { processRenderJob, type RenderJobContext, type RenderJobResult } from './process/process-render-job.ts';
export type { RendererDeps } from './process/renderer-deps.ts';
export { ExternalServiceError } from './errors/external-service-error.ts';
export { bundleCacheKey, bundleTtlSeconds } from './cache/bundle-cache.ts';
export { mirrorPathFor } from './git/mirror.ts';
export { renderSource, detectRenderer, type RenderOutcome, type RendererKind } from './render/render-source.ts';
export { createHeadsWorker, type HeadsWorker, type HeadsWorkerDeps } from './heads/heads-worker.ts';
export { resolveHead, pickRevision } from './heads/resolve-head.ts';
