/**
 * Per-mirror promise locks. Process-wide on purpose: every job in this process that touches one bare mirror
 * (fetch, checkout) must queue behind the others, whichever renderer instance runs it.
 */
const tails = new Map<string, Promise<unknown>>();

/** Runs `work` after every earlier holder of `key` has finished. */
export async function withMirrorLock<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = tails.get(key) ?? Promise.resolve();
  const run = previous.catch(() => undefined).then(work);
  const tail = run.catch(() => undefined);
  tails.set(key, tail);
  try {
    return await run;
  } finally {
    if (tails.get(key) === tail) tails.delete(key);
  }
}
