import { z } from 'zod';
import { describeSecretRef, ObjectName, resolveSecret, SecretRef } from '@tidewater/config';

/** An outside audit consumer the auditor forwards records to, with secrets resolved. Never log `url` or `headers`. */
export interface HttpAuditSink {
  /** Safe to log and to put in events. */
  name: string;
  url: string;
  headers: Record<string, string>;
  batchSize: number;
  timeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
}

export const defaultSinkSettings = { batchSize: 500, timeoutMs: 10_000, initialBackoffMs: 500, maxBackoffMs: 60_000 } as const;

/**
 * `kind: AuditSink` (tidewater.dev/v1alpha1), kept raw in `config.otherDocuments` by the config loader:
 *
 * ```yaml
 * apiVersion: tidewater.dev/v1alpha1
 * kind: AuditSink
 * metadata: { name: siem }
 * spec:
 *   type: http
 *   url: https://siem.example.com/ingest     # or urlRef: { env: TIDEWATER_SECRET_SIEM_URL } when the URL carries a token
 *   bearerTokenRef: { env: TIDEWATER_SECRET_SIEM_TOKEN }      # optional: Authorization: Bearer …
 *   headers: [{ name: X-Api-Key, valueRef: { file: /run/secrets/tidewater/siem-key } }]
 *   batchSize: 500
 *   timeoutSeconds: 10
 *   backoff: { initialDelayMs: 500, maxDelayMs: 60000 }
 * ```
 */
export const AuditSinkSpec = z.strictObject({
  type: z.literal('http').default('http'),
  url: z.url({ protocol: /^https?$/ }).refine((url) => !/^[a-z]+:\/\/[^/]*@/i.test(url), {
    error: 'must not hold credentials; use urlRef (a secret reference) for a URL that carries them',
  }).optional(),
  urlRef: SecretRef.optional(),
  bearerTokenRef: SecretRef.optional(),
  headers: z.array(z.strictObject({ name: z.string().regex(/^[A-Za-z0-9-]+$/), valueRef: SecretRef })).default([]),
  batchSize: z.number().int().min(1).max(10_000).default(defaultSinkSettings.batchSize),
  timeoutSeconds: z.number().positive().max(300).default(defaultSinkSettings.timeoutMs / 1000),
  backoff: z.strictObject({
    initialDelayMs: z.number().int().min(1).default(defaultSinkSettings.initialBackoffMs),
    maxDelayMs: z.number().int().min(1).default(defaultSinkSettings.maxBackoffMs),
  }).default({ initialDelayMs: defaultSinkSettings.initialBackoffMs, maxDelayMs: defaultSinkSettings.maxBackoffMs }),
}).refine((spec) => (spec.url === undefined) !== (spec.urlRef === undefined), { error: 'exactly one of url or urlRef is required' });
export type AuditSinkSpec = z.infer<typeof AuditSinkSpec>;

export const AuditSinkDocument = z.object({
  apiVersion: z.literal('tidewater.dev/v1alpha1'),
  kind: z.literal('AuditSink'),
  metadata: z.looseObject({ name: ObjectName }),
  spec: AuditSinkSpec,
});
export type AuditSinkDocument = z.infer<typeof AuditSinkDocument>;

function isAuditSinkDocument(document: unknown): boolean {
  return typeof document === 'object' && document !== null && (document as { kind?: unknown }).kind === 'AuditSink';
}

/** Resolves one AuditSink document's secrets. Throws with the sink name and field, never a value. */
export function resolveAuditSink(document: AuditSinkDocument, env: NodeJS.ProcessEnv = process.env): HttpAuditSink {
  const { name } = document.metadata;
  const { spec } = document;
  const resolve = (ref: SecretRef, field: string) => {
    try {
      return resolveSecret(ref, env);
    } catch {
      throw new Error(`AuditSink ${name}: spec.${field}: ${describeSecretRef(ref)} cannot be resolved`);
    }
  };
  const headers: Record<string, string> = {};
  spec.headers.forEach((header, index) => {
    headers[header.name.toLowerCase()] = resolve(header.valueRef, `headers[${index}].valueRef`);
  });
  if (spec.bearerTokenRef) headers.authorization = `Bearer ${resolve(spec.bearerTokenRef, 'bearerTokenRef')}`;
  const url = spec.urlRef ? resolve(spec.urlRef, 'urlRef') : (spec.url as string);
  if (!/^https?:\/\//i.test(url)) throw new Error(`AuditSink ${name}: spec.urlRef: must resolve to an http(s) URL`);
  return {
    name, url, headers,
    batchSize: spec.batchSize,
    timeoutMs: Math.round(spec.timeoutSeconds * 1000),
    initialBackoffMs: spec.backoff.initialDelayMs,
    maxBackoffMs: Math.max(spec.backoff.initialDelayMs, spec.backoff.maxDelayMs),
  };
}

/**
 * The AuditSink documents of a configuration (its `otherDocuments`), validated and resolved. A broken document
 * is reported in `problems` (sink name and field only) and skipped; the others still forward.
 */
export function auditSinksFromConfig(otherDocuments: readonly unknown[], env: NodeJS.ProcessEnv = process.env): { sinks: HttpAuditSink[]; problems: string[] } {
  const sinks: HttpAuditSink[] = [];
  const problems: string[] = [];
  for (const document of otherDocuments.filter(isAuditSinkDocument)) {
    const parsed = AuditSinkDocument.safeParse(document);
    const name = (document as { metadata?: { name?: unknown } }).metadata?.name;
    const label = typeof name === 'string' ? name : '(unnamed)';
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(`AuditSink ${label}: ${issue.path.join('.') || '(document)'}: ${issue.message}`);
      continue;
    }
    try {
      sinks.push(resolveAuditSink(parsed.data, env));
    } catch (error) {
      problems.push((error as Error).message);
    }
  }
  return { sinks, problems };
}

/**
 * One sink from the environment: `TIDEWATER_AUDIT_SINK_URL` (may carry credentials), optional
 * `TIDEWATER_AUDIT_SINK_NAME` (default `env`), `TIDEWATER_AUDIT_SINK_TOKEN` (bearer token),
 * `TIDEWATER_AUDIT_SINK_BATCH_SIZE`.
 */
export function auditSinkFromEnv(env: NodeJS.ProcessEnv = process.env): HttpAuditSink | undefined {
  const url = env.TIDEWATER_AUDIT_SINK_URL;
  if (!url) return undefined;
  if (!/^https?:\/\//i.test(url)) throw new Error('TIDEWATER_AUDIT_SINK_URL must be an http(s) URL');
  const batchSize = Number(env.TIDEWATER_AUDIT_SINK_BATCH_SIZE ?? defaultSinkSettings.batchSize);
  return {
    name: env.TIDEWATER_AUDIT_SINK_NAME || 'env',
    url,
    headers: env.TIDEWATER_AUDIT_SINK_TOKEN ? { authorization: `Bearer ${env.TIDEWATER_AUDIT_SINK_TOKEN}` } : {},
    batchSize: Number.isInteger(batchSize) && batchSize > 0 ? batchSize : defaultSinkSettings.batchSize,
    timeoutMs: defaultSinkSettings.timeoutMs,
    initialBackoffMs: defaultSinkSettings.initialBackoffMs,
    maxBackoffMs: defaultSinkSettings.maxBackoffMs,
  };
}
