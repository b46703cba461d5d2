import { z } from 'zod';

export const inlineSecretMessage = 'secrets must be env: or file: references (for example `env: TIDEWATER_SECRET_GH_WEBHOOK`), never inline values';

/**
 * A reference to a secret held outside the configuration: an environment variable or a file
 * (for example a mounted Kubernetes Secret). Exactly one key; inline values are refused.
 */
export const SecretRef = z.union([z.strictObject({ env: z.string().min(1) }), z.strictObject({ file: z.string().min(1) })], {
  error: (issue) => secretRefProblem(issue.input),
});
export type SecretRef = z.infer<typeof SecretRef>;

/** Why a value is not a secret reference. Never echoes the input: it may be the secret itself. */
export function secretRefProblem(input: unknown): string {
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    const keys = Object.keys(input);
    const onlyRefKeys = keys.length > 0 && keys.every((key) => key === 'env' || key === 'file');
    if (onlyRefKeys && keys.length > 1) return 'a secret reference holds exactly one of env: or file:';
    if (onlyRefKeys) return `${keys[0]}: must be a non-empty string`;
  }
  return inlineSecretMessage;
}

/** Field names that announce a secret; an unknown field with such a name is refused as an inline secret. */
export function looksLikeSecretField(name: string): boolean {
  return /secret|password|passwd|token|credential|private.?key|api.?key|kubeconfig/i.test(name);
}

/** A secret reference found in a raw document, with the path of its field. */
export interface FoundSecretRef {
  path: Array<string | number>;
  ref: SecretRef;
}

/**
 * Every `{env: …}` / `{file: …}` value under a field named `…Ref` (or in a list under one) anywhere in a raw
 * document: Tidewater's kinds name their secret fields that way (webhookSecretRef, kubeconfigRef, tokenRef,
 * headers[].valueRef, …), including the kinds other services validate (NotificationChannel, AuditSink).
 */
export function findSecretRefs(document: unknown): FoundSecretRef[] {
  const found: FoundSecretRef[] = [];
  const visit = (value: unknown, path: Array<string | number>, underRefField: boolean) => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => visit(item, [...path, index], underRefField));
      return;
    }
    if (value === null || typeof value !== 'object') return;
    if (underRefField) {
      const parsed = SecretRef.safeParse(value);
      if (parsed.success) {
        found.push({ path, ref: parsed.data });
        return;
      }
    }
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) visit(child, [...path, key], /Refs?$/.test(key));
  };
  visit(document, [], false);
  return found;
}
