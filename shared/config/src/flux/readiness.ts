import { z } from 'zod';
import type { ArgoApplication } from '../schema/application.ts';

/**
 * Annotation on an Application translated from a Flux Kustomization: when that Kustomization is Ready (JSON
 * FluxReadiness). The syncer waits for it after each apply and its dependency gate reads it.
 */
export const fluxReadinessAnnotation = 'tidewater.dev/flux-readiness';

/** One `spec.healthChecks` entry, with its namespace resolved (the Kustomization's when not written). */
export const FluxHealthCheck = z.object({
  apiVersion: z.string().min(1),
  kind: z.string().min(1),
  name: z.string().min(1),
  namespace: z.string().optional(),
});
export type FluxHealthCheck = z.infer<typeof FluxHealthCheck>;

/**
 * Flux's Ready, as the translated Application carries it: `wait: true` → every applied object Healthy;
 * `healthChecks` (without wait) → those objects, read live, Healthy; neither → Ready once the apply succeeded.
 * Not Ready within `timeoutMs` after the apply → the sync fails (Flux's HealthCheckFailed).
 */
export const FluxReadiness = z.object({
  wait: z.boolean(),
  healthChecks: z.array(FluxHealthCheck),
  timeoutMs: z.number().int().positive(),
});
export type FluxReadiness = z.infer<typeof FluxReadiness>;

/** Flux's Kustomization timeout when neither timeout nor interval is written (interval is required in Flux). */
export const defaultFluxTimeoutMs = 5 * 60_000;

const units: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** A Go duration as Flux writes it (`5m`, `1m30s`, `500ms`, `1h0m0s`) in ms; undefined when it is not one. */
export function parseFluxDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const match of trimmed.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(match[1]) * units[match[2]];
  return Math.round(total);
}

/**
 * The readiness rule of an Application translated from a Flux Kustomization; undefined for any other
 * Application (and for an annotation that does not parse, which only a hand-written Application can carry).
 */
export function fluxReadinessOf(application: ArgoApplication): FluxReadiness | undefined {
  const written = application.metadata.annotations?.[fluxReadinessAnnotation];
  if (!written) return undefined;
  try {
    const parsed = FluxReadiness.safeParse(JSON.parse(written));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
