/** The mask of a Secret value, as Argo CD shows it; a further distinct value of the same key gets one `+` more. */
export const secretMask = '++++++++';

const lastAppliedAnnotation = 'kubectl.kubernetes.io/last-applied-configuration';

type ObjectLike = Record<string, unknown>;

const isSecret = (object: ObjectLike | undefined): object is ObjectLike =>
  !!object && object.kind === 'Secret' && (object.apiVersion === 'v1' || object.apiVersion === undefined);

/**
 * Copies of a live and a desired object with every Secret value replaced by a mask (Argo CD's HideSecretData):
 * `data` and `stringData` values, also inside kubectl's last-applied-configuration annotation. Per key, equal
 * values get equal masks and different values different ones (`++++++++`, `+++++++++`, …), so a diff still shows
 * that a value changed without showing any value. Objects other than Secrets are returned as they are.
 */
export function maskSecretPair<T extends ObjectLike | undefined>(live: T, desired: T): { live: T; desired: T } {
  if (!isSecret(live) && !isSecret(desired)) return { live, desired };
  const masks = new Map<string, Map<string, string>>();
  const maskOf = (key: string, comparable: string): string => {
    let byValue = masks.get(key);
    if (!byValue) masks.set(key, (byValue = new Map()));
    let mask = byValue.get(comparable);
    if (!mask) byValue.set(comparable, (mask = secretMask + '+'.repeat(byValue.size)));
    return mask;
  };
  return { live: maskSecret(live, maskOf) as T, desired: maskSecret(desired, maskOf) as T };
}

/** One object alone (added or removed): its Secret values masked. */
export function maskSecretObject<T extends ObjectLike | undefined>(object: T): T {
  return maskSecretPair(object, undefined as T).live;
}

function maskSecret(object: ObjectLike | undefined, maskOf: (key: string, comparable: string) => string): ObjectLike | undefined {
  if (!isSecret(object)) return object;
  const masked: ObjectLike = { ...object, ...maskValues(object, maskOf) };
  const metadata = object.metadata as { annotations?: Record<string, string> } | undefined;
  const lastApplied = metadata?.annotations?.[lastAppliedAnnotation];
  if (metadata && typeof lastApplied === 'string') {
    masked.metadata = { ...metadata, annotations: { ...metadata.annotations, [lastAppliedAnnotation]: maskLastApplied(lastApplied, maskOf) } };
  }
  return masked;
}

/** `data` (base64) and `stringData` (plain) masked; values are compared by their decoded bytes. */
function maskValues(secret: ObjectLike, maskOf: (key: string, comparable: string) => string): ObjectLike {
  const result: ObjectLike = {};
  const data = secret.data;
  if (data && typeof data === 'object') {
    result.data = Object.fromEntries(Object.entries(data as Record<string, unknown>).map(([key, value]) =>
      [key, maskOf(key, Buffer.from(String(value), 'base64').toString('hex'))]));
  }
  const stringData = secret.stringData;
  if (stringData && typeof stringData === 'object') {
    result.stringData = Object.fromEntries(Object.entries(stringData as Record<string, unknown>).map(([key, value]) =>
      [key, maskOf(key, Buffer.from(String(value), 'utf8').toString('hex'))]));
  }
  return result;
}

function maskLastApplied(text: string, maskOf: (key: string, comparable: string) => string): string {
  try {
    const parsed = JSON.parse(text) as ObjectLike;
    if (!parsed || typeof parsed !== 'object') return secretMask;
    return JSON.stringify({ ...parsed, ...maskValues(parsed, maskOf) });
  } catch {
    return secretMask;
  }
}
