import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ApplicationSource, type ArgoApplication } from '@tidewater/config';
import { permanent } from '../errors/permanent.ts';
import { absoluteIn, assertInsideRepo } from './repo-paths.ts';
import { assertSafeToolArguments } from './tool-arguments.ts';

/** Argo CD's parameter-override files in the Application's path, in the order it merges them. */
export function sourceOverrideFiles(appPath: string, appName: string): string[] {
  const prefix = appPath === '.' || appPath === '' ? '' : `${appPath.replace(/\/+$/, '')}/`;
  return [`${prefix}.argocd-source.yaml`, `${prefix}.argocd-source-${appName}.yaml`];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** RFC 7386 JSON merge patch, as Argo CD applies these files (`jsonpatch.MergePatch`): lists are replaced whole. */
function mergePatch(target: Json | undefined, patch: Json): Json {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const result: { [key: string]: Json } = target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Image Updater writes `forcestring`; Argo CD's JSON decoding is case-insensitive, so it means `forceString`. */
function normaliseHelmParameters(source: { [key: string]: Json }): void {
  const helm = source.helm;
  if (helm === null || typeof helm !== 'object' || Array.isArray(helm) || !Array.isArray(helm.parameters)) return;
  helm.parameters = helm.parameters.map((parameter) => {
    if (parameter === null || typeof parameter !== 'object' || Array.isArray(parameter) || !('forcestring' in parameter)) return parameter;
    const { forcestring, ...rest } = parameter;
    return { ...rest, forceString: forcestring };
  });
}

/**
 * The Application with `.argocd-source.yaml` and then `.argocd-source-<app>.yaml` of its path merged over its source,
 * as Argo CD's repo server does: each file is an ApplicationSource fragment (kustomize images, helm parameters and
 * values, directory options) merged by JSON merge patch; `repoURL`, `path`, `targetRevision` and `chart` stay the
 * Application's. The files are repository content: a symlink, a non-mapping or a field of the wrong type is refused
 * naming the file. Returns the files that exist (the render read them).
 */
export function withSourceOverrides(repoRoot: string, appPath: string, app: ArgoApplication): { app: ArgoApplication; files: string[] } {
  const files: string[] = [];
  let merged = JSON.parse(JSON.stringify(app.spec.source)) as { [key: string]: Json };
  for (const file of sourceOverrideFiles(appPath, app.metadata.name)) {
    const absolute = absoluteIn(repoRoot, file);
    if (!existsSync(absolute)) continue;
    const stat = lstatSync(absolute);
    if (stat.isSymbolicLink()) throw permanent(`${file} is a symbolic link: parameter-override files must be regular files`);
    if (!stat.isFile()) continue;
    assertInsideRepo(repoRoot, absolute, file);
    let patch: unknown;
    try {
      patch = parseYaml(readFileSync(absolute, 'utf8'));
    } catch (error) {
      throw permanent(`${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
    files.push(file);
    if (patch === null || patch === undefined) continue;
    if (typeof patch !== 'object' || Array.isArray(patch)) throw permanent(`${file} must be a mapping of source overrides (kustomize, helm, directory)`);
    const candidate = mergePatch(merged, patch as Json) as { [key: string]: Json };
    normaliseHelmParameters(candidate);
    merged = candidate;
  }
  if (files.length === 0) return { app, files };
  const { repoURL, path, targetRevision, chart } = app.spec.source;
  const parsed = ApplicationSource.safeParse({ ...merged, repoURL, path, targetRevision, ...(chart !== undefined ? { chart } : { chart: undefined }) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw permanent(`${files.join(' / ')}: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  const overridden: ArgoApplication = { ...app, spec: { ...app.spec, source: parsed.data } };
  // Repository content must not reach a tool as a flag any more than the Application may (the same door, again).
  try {
    assertSafeToolArguments(overridden, parsed.data.targetRevision);
  } catch (error) {
    throw permanent(`${files.join(' / ')}: ${(error as Error).message}`);
  }
  return { app: overridden, files };
}
