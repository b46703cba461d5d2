/** `tide all`'s worker concurrency from the environment, the same variables the services read on their own. */
export interface WorkerConcurrency {
  renderConcurrency?: number;
  syncConcurrency?: number;
  applyConcurrency?: number;
}

const variables = { renderConcurrency: 'TIDEWATER_RENDER_CONCURRENCY', syncConcurrency: 'SYNC_CONCURRENCY', applyConcurrency: 'APPLY_CONCURRENCY' } as const;

/** Unset variables keep startAll's defaults; a value that is not a positive integer is refused, naming the variable. */
export function workerConcurrencyFromEnv(env: NodeJS.ProcessEnv): WorkerConcurrency {
  const concurrency: WorkerConcurrency = {};
  for (const [field, variable] of Object.entries(variables) as Array<[keyof WorkerConcurrency, string]>) {
    const raw = env[variable];
    if (raw === undefined || raw.trim() === '') continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1 || value > 256) throw new Error(`${variable} must be a whole number from 1 to 256, got ${JSON.stringify(raw)}`);
    concurrency[field] = value;
  }
  return concurrency;
}
