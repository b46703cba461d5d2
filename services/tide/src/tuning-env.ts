/**
 * `tide all`'s renderer and notifier recovery knobs from the environment, read with the renderer's and notifier's own
 * environment schemas (services/renderer/src/env.ts, services/notifier/src/env.ts): same variables, defaults and bounds.
 */
import { deliveryOptionsFrom, NotifierEnv } from '@tidewater/notifier';
import { RendererEnv } from '@tidewater/renderer';
import type { z } from 'zod';

export interface ServiceTuning {
  renderer: { lockDurationMs?: number; maxStalledCount?: number; transientRetryDelayMs?: number };
  notifierDelivery?: ReturnType<typeof deliveryOptionsFrom>;
}

const RendererKnobs = RendererEnv.pick({ TIDEWATER_RENDER_LOCK_MS: true, TIDEWATER_RENDER_MAX_STALLED: true, TIDEWATER_RENDER_RETRY_DELAY_MS: true });
const NotifierKnobs = NotifierEnv.pick({ TIDEWATER_NOTIFY_MAX_AGE_MS: true, TIDEWATER_NOTIFY_RETRY_BASE_MS: true, TIDEWATER_NOTIFY_RETRY_MAX_DELAY_MS: true });

/** Unset variables keep the services' defaults; a value out of bounds is refused, naming the variable. */
export function serviceTuningFromEnv(env: NodeJS.ProcessEnv): ServiceTuning {
  const rendererSet = setVariables(env, RendererKnobs);
  const renderer = parseKnobs(RendererKnobs, rendererSet);
  const tuning: ServiceTuning = {
    renderer: {
      ...('TIDEWATER_RENDER_LOCK_MS' in rendererSet ? { lockDurationMs: renderer.TIDEWATER_RENDER_LOCK_MS } : {}),
      ...('TIDEWATER_RENDER_MAX_STALLED' in rendererSet ? { maxStalledCount: renderer.TIDEWATER_RENDER_MAX_STALLED } : {}),
      ...('TIDEWATER_RENDER_RETRY_DELAY_MS' in rendererSet ? { transientRetryDelayMs: renderer.TIDEWATER_RENDER_RETRY_DELAY_MS } : {}),
    },
  };
  const notifierSet = setVariables(env, NotifierKnobs);
  if (Object.keys(notifierSet).length > 0) tuning.notifierDelivery = deliveryOptionsFrom(parseKnobs(NotifierKnobs, notifierSet));
  return tuning;
}

/** The schema's variables that are set to something other than blanks. */
function setVariables(env: NodeJS.ProcessEnv, schema: z.ZodObject): Record<string, string> {
  return Object.fromEntries(Object.keys(schema.shape).flatMap((name) => (env[name]?.trim() ? [[name, env[name]!]] : [])));
}

function parseKnobs<Schema extends z.ZodObject>(schema: Schema, env: Record<string, string>): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    // Field names and bounds only: a value may be anything the operator typed.
    throw new Error(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  return parsed.data;
}
