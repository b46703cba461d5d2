import { performance } from 'node:perf_hooks';
import { waitFor } from '../../test/harness/src/index.ts';
import type { FluxPeer } from './flux.ts';
import { appliedAt, failedAt, kustomizationsPath, type FluxObject } from './flux-objects.ts';
import { PeerFailure } from './peer-failure.ts';

/**
 * Polls Flux's Kustomizations (one LIST per round) until every one of `names` is Ready and applied at `sha`.
 * On timeout (or a controller exit) throws a PeerFailure with how many were applied and the first failures' reasons.
 */
export async function waitForFluxApplied(
  flux: FluxPeer,
  names: readonly string[],
  sha: string,
  options: { timeoutMs: number; intervalMs?: number; progress?: (applied: number) => void },
): Promise<void> {
  const wanted = new Set(names);
  let applied = 0;
  let failures: string[] = [];
  let lastReport = performance.now();
  try {
    await waitFor(`${names.length} Flux Kustomizations applied at ${sha.slice(0, 12)}`, async () => {
      flux.assertRunning();
      const path = names.length === 1 ? `${kustomizationsPath}/${names[0]}` : kustomizationsPath;
      const answer = await flux.get<FluxObject & { items?: FluxObject[] }>(path);
      const objects = (names.length === 1 ? (answer ? [answer] : []) : answer?.items ?? []).filter((object) => wanted.has(object.metadata.name));
      applied = objects.filter((object) => appliedAt(object, sha)).length;
      failures = objects.flatMap((object) => {
        const failure = failedAt(object, sha);
        return failure ? [`${object.metadata.name}: ${failure}`] : [];
      });
      if (options.progress && performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        options.progress(applied);
      }
      return applied === names.length;
    }, { timeoutMs: options.timeoutMs, intervalMs: options.intervalMs ?? 50 });
  } catch (error) {
    if (error instanceof PeerFailure) throw error;
    throw new PeerFailure('flux kustomize-controller', `${applied}/${names.length} Kustomizations applied at ${sha.slice(0, 12)} within ${options.timeoutMs} ms`
      + `${failures.length ? `; failing: ${failures.slice(0, 3).join('; ')}` : ''}\n${flux.tails()}`);
  }
}
