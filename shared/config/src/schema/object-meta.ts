import { z } from 'zod';

/** Kubernetes object names (RFC 1123 subdomain): they end up in job ids, labels and Redis keys. */
export const ObjectName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, {
    error: 'must be a lowercase RFC 1123 name (a-z, 0-9, "-" and ".", starting and ending with a letter or digit)',
  });

/**
 * `metadata` as written in Kubernetes manifests. Loose on purpose: fields such as `uid`, `generation`
 * or `creationTimestamp` in exported manifests are harmless and are not reported.
 */
export const ObjectMeta = z.looseObject({
  name: ObjectName,
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  finalizers: z.array(z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMeta>;
