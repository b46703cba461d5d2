import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { HelmSource } from '@tidewater/config';
import type { KubernetesObject } from '@tidewater/queues';
import { permanent } from '../errors/permanent.ts';
import { parseManifests } from './manifests.ts';
import { absoluteIn, assertInsideRepo, joinRepoPath } from './repo-paths.ts';
import { runTool, toolEnv } from './run-tool.ts';

export interface HelmRender {
  binary: string;
  repoRoot: string;
  /** Repo-relative chart directory (spec.source.path). */
  appPath: string;
  appName: string;
  namespace?: string;
  options?: HelmSource;
  /** Private scratch directory: HELM_*_HOME and the inline values file live here. */
  scratchDir: string;
  timeoutMs: number;
}

interface ChartDependency {
  name: string;
  repository?: string;
}

/**
 * Value files resolved the way Argo CD does: relative to the chart directory, or to the repository root when
 * absolute; they must stay inside the repository. Returns repo-relative paths (missing ones skipped only with
 * ignoreMissingValueFiles).
 */
export function resolveValueFiles(repoRoot: string, appPath: string, options: HelmSource | undefined): string[] {
  const resolved: string[] = [];
  for (const valueFile of options?.valueFiles ?? []) {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(valueFile)) {
      throw permanent(`helm value file ${valueFile} is a URL; remote value files are not supported (commit it to the repository)`);
    }
    const repoPath = valueFile.startsWith('/') ? joinRepoPath('.', valueFile) : joinRepoPath(appPath, valueFile);
    if (repoPath === undefined) throw permanent(`helm value file ${valueFile} points outside the repository`);
    if (!existsSync(absoluteIn(repoRoot, repoPath))) {
      if (options?.ignoreMissingValueFiles) continue;
      throw permanent(`helm value file ${valueFile} (${repoPath}) does not exist at this revision`);
    }
    assertInsideRepo(repoRoot, absoluteIn(repoRoot, repoPath), `helm value file ${valueFile}`);
    resolved.push(repoPath);
  }
  return resolved;
}

/**
 * Local (`file://`) chart dependencies as repo-relative paths: they are sources of the render too. A dependency
 * that is an absolute path or climbs out of the repository is refused (helm would package it from the host).
 */
export function localDependencyPaths(repoRoot: string, appPath: string): string[] {
  return chartDependencies(absoluteIn(repoRoot, appPath))
    .filter((dependency) => dependency.repository?.startsWith('file://'))
    .map((dependency) => {
      const target = dependency.repository!.slice('file://'.length);
      const repoPath = target.startsWith('/') ? undefined : joinRepoPath(appPath, target);
      if (repoPath === undefined) {
        throw permanent(`chart ${appPath} dependency ${dependency.name} (${dependency.repository}) points outside the repository`);
      }
      assertInsideRepo(repoRoot, absoluteIn(repoRoot, repoPath), `chart ${appPath} dependency ${dependency.name} (${dependency.repository})`);
      return repoPath;
    });
}

/**
 * Environment for helm: private HELM_*_HOME directories and an empty plugin directory, so neither the host's
 * nor the repository's plugins (post-renderers, downloaders, getters) can run, and no repositories or registry
 * logins of the host are used.
 */
export function helmEnv(home: string): Record<string, string> {
  const plugins = join(home, 'plugins');
  mkdirSync(plugins, { recursive: true });
  return toolEnv(home, {
    HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data'),
    HELM_PLUGINS: plugins, HELM_NO_PLUGINS: '1',
    HELM_REGISTRY_CONFIG: join(home, 'config', 'registry.json'),
    HELM_REPOSITORY_CONFIG: join(home, 'config', 'repositories.yaml'),
    HELM_REPOSITORY_CACHE: join(home, 'cache', 'repository'),
  });
}

/** `helm template` of a chart in the repository, with Argo CD's value precedence: files, then values, then parameters. */
export async function renderHelm(render: HelmRender): Promise<KubernetesObject[]> {
  const chartDir = absoluteIn(render.repoRoot, render.appPath);
  const options = render.options ?? {};
  const home = join(render.scratchDir, 'helm');
  mkdirSync(home, { recursive: true });
  const env = helmEnv(home);
  const run = (args: string[]) => runTool({
    binary: render.binary, tool: 'helm', args, cwd: chartDir, env, timeoutMs: render.timeoutMs, repoRoot: render.repoRoot,
  });

  localDependencyPaths(render.repoRoot, render.appPath); // refuses local dependencies outside the repository
  const missing = missingDependencies(chartDir);
  if (missing.length) {
    const remote = missing.filter((dependency) => !dependency.repository?.startsWith('file://'));
    if (remote.length) {
      const names = remote.map((dependency) => `${dependency.name} (${dependency.repository ?? 'no repository'})`).join(', ');
      throw permanent(`chart ${render.appPath} depends on ${names}, which is not vendored in its charts/ directory; `
        + 'charts with remote dependencies are not supported: run `helm dependency build` and commit charts/');
    }
    await run(['dependency', 'build', '--skip-refresh', '--', chartDir]);
  }

  // Flags in `--flag=value` form and every positional value after `--`: nothing from the Application can be
  // read as another flag (assertSafeToolArguments has validated the values too). No --post-renderer, ever.
  const args = ['template', '--include-crds'];
  if (render.namespace) args.push(`--namespace=${render.namespace}`);
  for (const valueFile of resolveValueFiles(render.repoRoot, render.appPath, options)) {
    args.push(`--values=${absoluteIn(render.repoRoot, valueFile)}`);
  }
  const inlineValues = options.valuesObject !== undefined ? stringifyYaml(options.valuesObject) : options.values;
  if (inlineValues !== undefined && inlineValues.trim() !== '') {
    const valuesFile = join(render.scratchDir, 'inline-values.yaml');
    writeFileSync(valuesFile, inlineValues, { mode: 0o600 });
    args.push(`--values=${valuesFile}`);
  }
  for (const parameter of options.parameters ?? []) {
    const flag = parameter.forceString ? '--set-string' : '--set';
    args.push(`${flag}=${parameter.name}=${escapeSetValue(parameter.value)}`);
  }
  args.push('--', options.releaseName || render.appName, chartDir);
  const { stdout } = await run(args);
  return parseManifests({ label: `helm template ${render.appPath}`, text: stdout, labelDocumentsBySourceComment: true });
}

/** Argo CD escapes commas in --set values unless the value is a `{a,b}` list. */
function escapeSetValue(value: string): string {
  if (value.startsWith('{') && value.endsWith('}')) return value;
  return value.replace(/(?<!\\),/g, '\\,');
}

function chartDependencies(chartDir: string): ChartDependency[] {
  const chartFile = join(chartDir, 'Chart.yaml');
  const requirementsFile = join(chartDir, 'requirements.yaml');
  const read = (file: string): unknown => {
    try {
      return parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      throw permanent(`${file.slice(chartDir.length + 1)} of the chart is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    }
  };
  const chart = existsSync(chartFile) ? read(chartFile) as { dependencies?: unknown } | null : null;
  const requirements = existsSync(requirementsFile) ? read(requirementsFile) as { dependencies?: unknown } | null : null;
  const list = [chart?.dependencies, requirements?.dependencies].flatMap((value) => (Array.isArray(value) ? value : []));
  return list.filter((entry): entry is ChartDependency => typeof entry?.name === 'string');
}

function missingDependencies(chartDir: string): ChartDependency[] {
  const dependencies = chartDependencies(chartDir);
  if (!dependencies.length) return [];
  const chartsDir = join(chartDir, 'charts');
  const vendored = existsSync(chartsDir) ? readdirSync(chartsDir) : [];
  return dependencies.filter((dependency) => !vendored.some((entry) => entry === dependency.name
    || (entry.startsWith(`${dependency.name}-`) && entry.endsWith('.tgz'))));
}
