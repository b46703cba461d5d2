import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ArgoApplication } from '@tidewater/config';
import type { KubernetesObject } from '@tidewater/queues';
import { parseManifests } from './manifests.ts';
import { runTool, toolEnv } from './run-tool.ts';

/** Annotation the config loader sets on an Application translated from a Flux Kustomization with spec.patches. */
export const fluxPatchesAnnotation = 'tidewater.dev/flux-patches';

export interface FluxPatch {
  patch: string;
  target?: Record<string, unknown>;
}

/** The Flux patches of an Application, or undefined when it has none. */
export function fluxPatchesOf(app: ArgoApplication): FluxPatch[] | undefined {
  const raw = app.metadata.annotations?.[fluxPatchesAnnotation];
  if (!raw) return undefined;
  const patches = JSON.parse(raw) as FluxPatch[];
  return patches.length > 0 ? patches : undefined;
}

/**
 * Applies a Flux Kustomization's `patches` (strategic merge or JSON 6902, with kustomize `target` selectors) on
 * top of the rendered objects, as Flux does, by a second `kustomize build` over them in the job's scratch dir.
 * Targets see the rendered objects, so a name prefix or suffix is already part of their names.
 */
export async function applyFluxPatches(input: {
  objects: readonly KubernetesObject[];
  patches: readonly FluxPatch[];
  kustomize: string;
  scratchDir: string;
  timeoutMs: number;
}): Promise<KubernetesObject[]> {
  const dir = join(input.scratchDir, 'flux-patches');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'objects.yaml'), input.objects.map((object) => stringify(object)).join('---\n'));
  writeFileSync(join(dir, 'kustomization.yaml'), stringify({ resources: ['objects.yaml'], patches: input.patches.map((patch) => ({ patch: patch.patch, ...(patch.target ? { target: patch.target } : {}) })) }));
  const { stdout } = await runTool({
    binary: input.kustomize, tool: 'kustomize', args: ['build', dir], cwd: dir, env: toolEnv(input.scratchDir),
    timeoutMs: input.timeoutMs, repoRoot: dir,
  });
  return parseManifests({ label: 'Flux patches (kustomize build)', text: stdout });
}
