import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ArgoApplication } from '@tidewater/config';
import type { KubernetesObject, RenderedBundle } from '@tidewater/queues';
import { permanent } from '../errors/permanent.ts';
import { collapseSourcePaths } from '../source-paths/collapse-source-paths.ts';
import { kustomizeSourcePaths } from '../source-paths/kustomize-source-paths.ts';
import { renderDirectory } from './directory.ts';
import { localDependencyPaths, renderHelm, resolveValueFiles } from './helm.ts';
import { editCommands, kustomizationFileIn, renderKustomize } from './kustomize.ts';
import { assertKustomizeReferencesAllowed } from './kustomize-references.ts';
import { sourceOverrideFiles, withSourceOverrides } from './source-overrides.ts';
import { assertHelmReleaseName } from './tool-arguments.ts';
import { absoluteIn, assertInsideRepo, escapesRepo, normalizeRepoPath } from './repo-paths.ts';

export type RendererKind = RenderedBundle['renderer'];

export interface RenderTools {
  helm: string;
  kustomize: string;
}

export interface RenderOutcome {
  renderer: RendererKind;
  objects: KubernetesObject[];
  /** Repo-relative paths the render read (the gateway matches pushed files against them). */
  sourcePaths: string[];
}

export interface RenderSourceParams {
  /** The commit's tree, private to this job. */
  repoRoot: string;
  app: ArgoApplication;
  tools: RenderTools;
  /** Private scratch directory (tool homes, inline values). */
  scratchDir: string;
  timeoutMs: number;
  /** Where the tree came from, for refusals: the repository URL and commit. */
  origin?: { repoURL: string; revision: string };
  /** The Repository's `spec.allowRemoteBases` (kustomize remote bases); default false. */
  allowRemoteBases?: boolean;
}

/** The Application's source path as repo-relative, refusing paths that leave the repository. */
export function appSourcePath(app: ArgoApplication): string {
  const path = normalizeRepoPath(app.spec.source.path ?? '.');
  if (escapesRepo(path)) throw permanent(`spec.source.path ${app.spec.source.path} points outside the repository`);
  return path;
}

/**
 * Which tool renders the source, as Argo CD decides: the one option block the Application sets (directory,
 * kustomize or helm), else by the files present (a kustomization wins over Chart.yaml), else a plain directory.
 */
export function detectRenderer(appDir: string, app: ArgoApplication): RendererKind {
  const { directory, kustomize, helm } = app.spec.source;
  const explicit = ([['directory', directory], ['kustomize', kustomize], ['helm', helm]] as const).filter(([, options]) => options !== undefined);
  if (explicit.length === 1) return explicit[0][0];
  if (kustomizationFileIn(appDir)) return 'kustomize';
  if (existsSync(join(appDir, 'Chart.yaml'))) return 'helm';
  return 'directory';
}

/**
 * Whether rendering this Application writes into the tree (`kustomize edit` for its kustomize options, Helm's
 * `dependency build`), so it needs a private checkout rather than the commit's shared read-only tree.
 */
export function needsPrivateTree(repoRoot: string, app: ArgoApplication): boolean {
  const appDir = absoluteIn(repoRoot, appSourcePath(app));
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) return false; // renderSource names the missing path
  const { app: effective } = withSourceOverrides(repoRoot, appSourcePath(app), app);
  const renderer = detectRenderer(appDir, effective);
  return renderer === 'helm' || (renderer === 'kustomize' && editCommands(effective.spec.source.kustomize ?? {}).length > 0);
}

/** Renders the Application's source from a checked-out tree. */
export async function renderSource(params: RenderSourceParams): Promise<RenderOutcome> {
  const appPath = appSourcePath(params.app);
  const appDir = absoluteIn(params.repoRoot, appPath);
  if (!existsSync(appDir) || !statSync(appDir).isDirectory()) {
    throw permanent(`path ${appPath} does not exist in the repository at this revision`);
  }
  assertInsideRepo(params.repoRoot, appDir, `path ${appPath}`);
  // Argo CD's `.argocd-source[-<app>].yaml` in the path (Image Updater's write-back target) merged over the source.
  const overridden = withSourceOverrides(params.repoRoot, appPath, params.app);
  const outcome = await renderEffectiveSource({ ...params, app: overridden.app }, appPath, appDir);
  // Both override files count as read, present or not: a push that adds, edits or removes one re-renders the app
  // (the gateway matches pushed files against these, and unchanged-source reuse compares them).
  return { ...outcome, sourcePaths: collapseSourcePaths([...outcome.sourcePaths, ...sourceOverrideFiles(appPath, params.app.metadata.name)]) };
}

async function renderEffectiveSource(params: RenderSourceParams, appPath: string, appDir: string): Promise<RenderOutcome> {
  const { repoRoot, app } = params;
  const renderer = detectRenderer(appDir, app);
  switch (renderer) {
    case 'kustomize': {
      assertKustomizeReferencesAllowed({
        repoRoot, appPath, allowRemoteBases: params.allowRemoteBases ?? false,
        origin: params.origin ? `repository ${params.origin.repoURL} commit ${params.origin.revision}` : `kustomization ${appPath}`,
      });
      // Source paths first: `kustomize edit` rewrites the file, but never adds local references.
      const sourcePaths = kustomizeSourcePaths(repoRoot, appPath);
      const objects = await renderKustomize({
        binary: params.tools.kustomize, repoRoot, appDir, appPath, options: app.spec.source.kustomize,
        home: params.scratchDir, timeoutMs: params.timeoutMs,
      });
      return { renderer, objects, sourcePaths: collapseSourcePaths(sourcePaths) };
    }
    case 'helm': {
      assertHelmReleaseName(app);
      const objects = await renderHelm({
        binary: params.tools.helm, repoRoot, appPath, appName: app.metadata.name, namespace: app.spec.destination.namespace,
        options: app.spec.source.helm, scratchDir: params.scratchDir, timeoutMs: params.timeoutMs,
      });
      const sourcePaths = [appPath, ...resolveValueFiles(repoRoot, appPath, app.spec.source.helm), ...localDependencyPaths(repoRoot, appPath)];
      return { renderer, objects, sourcePaths: collapseSourcePaths(sourcePaths) };
    }
    case 'directory':
      return { renderer, objects: renderDirectory({ repoRoot, appPath, directory: app.spec.source.directory }), sourcePaths: [appPath] };
  }
}
