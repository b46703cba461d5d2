import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KustomizeSource } from '@tidewater/config';
import type { KubernetesObject } from '@tidewater/queues';
import { permanent } from '../errors/permanent.ts';
import { parseManifests } from './manifests.ts';
import { runTool, toolEnv } from './run-tool.ts';

export const kustomizationFileNames = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'] as const;

/** The kustomization file in `dir`, if it has one. */
export function kustomizationFileIn(dir: string): string | undefined {
  return kustomizationFileNames.map((name) => join(dir, name)).find((path) => existsSync(path));
}

export interface KustomizeRender {
  binary: string;
  repoRoot: string;
  /** Absolute app directory inside the job's private tree (edited in place, as Argo CD does). */
  appDir: string;
  /** Repo-relative app path, for messages. */
  appPath: string;
  options?: KustomizeSource;
  home: string;
  timeoutMs: number;
}

/**
 * Applies the Application's kustomize options with `kustomize edit` in the app directory (the way Argo CD
 * does), then runs `kustomize build`. Only stdout is parsed; stderr carries warnings.
 */
export async function renderKustomize(render: KustomizeRender): Promise<KubernetesObject[]> {
  const env = kustomizeEnv(render.home);
  const run = (args: string[]) => runTool({
    binary: render.binary, tool: 'kustomize', args, cwd: render.appDir, env, timeoutMs: render.timeoutMs, repoRoot: render.repoRoot,
  });
  for (const args of editCommands(render.options ?? {})) await run(args);
  // No --enable-alpha-plugins, --enable-exec or --enable-helm: a kustomization cannot run programs. Files load
  // only from inside the kustomization root (kustomize's default, spelled out so it stays that way).
  const { stdout } = await run(['build', '--load-restrictor=LoadRestrictionsRootOnly', '--', render.appDir]);
  return parseManifests({ label: `kustomize build ${render.appPath}`, text: stdout });
}

/**
 * Environment for kustomize: no plugin directory of the host, and the same transport pin as the renderer's own
 * git when a Repository allows remote bases (kustomize clones them with git).
 */
export function kustomizeEnv(home: string): Record<string, string> {
  return toolEnv(home, {
    KUSTOMIZE_PLUGIN_HOME: join(home, 'kustomize-plugins'), XDG_CONFIG_HOME: join(home, 'config'),
    GIT_ALLOW_PROTOCOL: 'https:ssh', GIT_TERMINAL_PROMPT: '0', GIT_CONFIG_NOSYSTEM: '1',
  });
}

/**
 * `kustomize edit` invocations for the options set, one key:value pair per argument (values may hold commas),
 * every value after `--` (assertSafeToolArguments has validated them too).
 */
export function editCommands(options: KustomizeSource): string[][] {
  const commands: string[][] = [];
  if (options.namePrefix) commands.push(['edit', 'set', 'nameprefix', '--', options.namePrefix]);
  if (options.nameSuffix) commands.push(['edit', 'set', 'namesuffix', '--', options.nameSuffix]);
  if (options.images?.length) {
    for (const image of options.images) {
      if (image.startsWith('-')) throw permanent(`kustomize image override ${JSON.stringify(image)} is not valid`);
    }
    commands.push(['edit', 'set', 'image', '--', ...options.images]);
  }
  const labels = Object.entries(options.commonLabels ?? {});
  if (labels.length) commands.push(['edit', 'add', 'label', '--force', '--', ...labels.map(([key, value]) => `${key}:${value}`)]);
  const annotations = Object.entries(options.commonAnnotations ?? {});
  if (annotations.length) commands.push(['edit', 'add', 'annotation', '--force', '--', ...annotations.map(([key, value]) => `${key}:${value}`)]);
  if (options.namespace) commands.push(['edit', 'set', 'namespace', '--', options.namespace]);
  return commands;
}
