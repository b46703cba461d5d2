/**
 * `tide all`'s renderer and notifier recovery knobs from the environment: the same variables, defaults and bounds as
 * the renderer and notifier read when they run alone (services/renderer/src/env.ts, services/notifier/src/env.ts).
 */
export interface ServiceTuning {
  renderer: { lockDurationMs?: number; maxStalledCount?: number; transientRetryDelayMs?: number };
  notifierDelivery?: { maxAgeMs: number; baseDelayMs: number; maxDelayMs: number };
}

const rendererVariables = {
  lockDurationMs: { name: 'TIDEWATER_RENDER_LOCK_MS', min: 2_000 },
  maxStalledCount: { name: 'TIDEWATER_RENDER_MAX_STALLED', min: 0 },
  transientRetryDelayMs: { name: 'TIDEWATER_RENDER_RETRY_DELAY_MS', min: 1 },
} as const;

const notifierDefaults = {
  maxAgeMs: { name: 'TIDEWATER_NOTIFY_MAX_AGE_MS', fallback: 24 * 3_600_000 },
  baseDelayMs: { name: 'TIDEWATER_NOTIFY_RETRY_BASE_MS', fallback: 1_000 },
  maxDelayMs: { name: 'TIDEWATER_NOTIFY_RETRY_MAX_DELAY_MS', fallback: 60_000 },
} as const;

/** Unset variables keep the services' defaults; a value out of bounds is refused, naming the variable. */
export function serviceTuningFromEnv(env: NodeJS.ProcessEnv): ServiceTuning {
  const renderer: ServiceTuning['renderer'] = {};
  for (const [field, { name, min }] of Object.entries(rendererVariables) as Array<[keyof ServiceTuning['renderer'], { name: string; min: number }]>) {
    const value = wholeNumber(env, name, min);
    if (value !== undefined) renderer[field] = value;
  }
  const set = Object.values(notifierDefaults).some(({ name }) => env[name] !== undefined && env[name]!.trim() !== '');
  if (!set) return { renderer };
  const delivery = Object.fromEntries(Object.entries(notifierDefaults).map(([field, { name, fallback }]) => [field, wholeNumber(env, name, 1) ?? fallback]));
  return { renderer, notifierDelivery: delivery as NonNullable<ServiceTuning['notifierDelivery']> };
}

function wholeNumber(env: NodeJS.ProcessEnv, name: string, min: number): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be a whole number of at least ${min}, got ${JSON.stringify(raw)}`);
  return value;
}
