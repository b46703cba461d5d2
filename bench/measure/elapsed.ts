import { performance } from 'node:perf_hooks';

/** Runs `work` and returns its result with the wall-clock milliseconds it took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await work();
  return { result, ms: performance.now() - start };
}
