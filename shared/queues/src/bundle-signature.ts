import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RenderedBundle } from './bundle.ts';

/** Signature format: `v1:` + hex HMAC-SHA256 over the canonical JSON of the bundle without its signature. */
const signaturePrefix = 'v1:';
/** A key shorter than this is refused: it would be guessable. */
export const minimumBundleKeyLength = 32;

/**
 * The key the renderer signs bundles with and the syncer verifies them with (TIDEWATER_BUNDLE_KEY). Held by those
 * two services only. The bytes stay private: the object prints and serialises as a placeholder, so a logged deps
 * object never carries the key.
 */
export class BundleSigningKey {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length < minimumBundleKeyLength) throw new Error(`a bundle signing key needs at least ${minimumBundleKeyLength} bytes`);
    this.#key = Buffer.from(key);
  }

  /** HMAC-SHA256 of `material`, hex. */
  mac(material: string): string {
    return createHmac('sha256', this.#key).update(material).digest('hex');
  }

  toJSON(): string {
    return '[bundle signing key]';
  }

  toString(): string {
    return '[bundle signing key]';
  }
}

/** A fresh random key, for `tide all` when none is configured (renderer and syncer share the process). */
export function generateBundleSigningKey(): BundleSigningKey {
  return new BundleSigningKey(randomBytes(32));
}

/**
 * The key kept in `path` (made there, readable by the owner only, the first time): for `tide all` without
 * TIDEWATER_BUNDLE_KEY, so a restart keeps verifying the bundles and applied copies it signed before.
 */
export function loadOrCreateBundleKeyFile(path: string): BundleSigningKey {
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(path, `${randomBytes(32).toString('hex')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new Error(`bundle key file ${path} cannot be written (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, { cause: error });
    }
  }
  const key = bundleSigningKeyFromEnv({ TIDEWATER_BUNDLE_KEY_FILE: path });
  if (!key) throw new Error(`bundle key file ${path} cannot be read`);
  return key;
}

export interface BundleKeyEnv {
  TIDEWATER_BUNDLE_KEY?: string | undefined;
  TIDEWATER_BUNDLE_KEY_FILE?: string | undefined;
}

/**
 * The signing key from TIDEWATER_BUNDLE_KEY or the file TIDEWATER_BUNDLE_KEY_FILE names (a mounted Secret);
 * undefined when neither is set. Errors name the variable, never the key.
 */
export function bundleSigningKeyFromEnv(env: BundleKeyEnv = process.env): BundleSigningKey | undefined {
  let material: string | undefined;
  let source = 'TIDEWATER_BUNDLE_KEY';
  if (env.TIDEWATER_BUNDLE_KEY_FILE) {
    source = `TIDEWATER_BUNDLE_KEY_FILE ${env.TIDEWATER_BUNDLE_KEY_FILE}`;
    try {
      material = readFileSync(env.TIDEWATER_BUNDLE_KEY_FILE, 'utf8').replace(/\r?\n$/, '');
    } catch (error) {
      throw new Error(`${source} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`, { cause: error });
    }
  } else if (env.TIDEWATER_BUNDLE_KEY !== undefined) {
    material = env.TIDEWATER_BUNDLE_KEY;
  }
  if (material === undefined) return undefined;
  if (material.length < minimumBundleKeyLength) {
    throw new Error(`${source}: the bundle signing key needs at least ${minimumBundleKeyLength} characters (for example \`openssl rand -hex 32\`)`);
  }
  return new BundleSigningKey(Buffer.from(material, 'utf8'));
}

/** The signing key a renderer or syncer must have: from the environment, or an error saying how to set one. */
export function requireBundleSigningKey(service: string, env: BundleKeyEnv = process.env): BundleSigningKey {
  const key = bundleSigningKeyFromEnv(env);
  if (!key) {
    throw new Error(`the ${service} needs TIDEWATER_BUNDLE_KEY or TIDEWATER_BUNDLE_KEY_FILE (the same key in renderer and syncer; e.g. \`openssl rand -hex 32\`)`);
  }
  return key;
}

/** JSON with object keys sorted at every level and the signature left out: what the HMAC covers. */
export function canonicalBundleJson(bundle: RenderedBundle): string {
  const { signature: _signature, ...unsigned } = bundle;
  return JSON.stringify(unsigned, (_key, entry: unknown) => {
    if (entry && typeof entry === 'object' && !Array.isArray(entry)) {
      return Object.fromEntries(Object.entries(entry as Record<string, unknown>).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0)));
    }
    return entry;
  });
}

/** The bundle with the renderer's signature (any previous signature replaced). */
export function signBundle(bundle: RenderedBundle, key: BundleSigningKey): RenderedBundle {
  return { ...bundle, signature: `${signaturePrefix}${key.mac(canonicalBundleJson(bundle))}` };
}

export type BundleVerdict = { ok: true } | { ok: false; problem: 'unsigned' | 'invalid-signature' };

/** Whether `bundle` carries a signature made with `key` over exactly its content. */
export function verifyBundleSignature(bundle: RenderedBundle, key: BundleSigningKey): BundleVerdict {
  const signature = (bundle as { signature?: unknown }).signature;
  if (typeof signature !== 'string' || signature === '') return { ok: false, problem: 'unsigned' };
  if (!signature.startsWith(signaturePrefix)) return { ok: false, problem: 'invalid-signature' };
  const expected = Buffer.from(key.mac(canonicalBundleJson(bundle)), 'hex');
  const given = Buffer.from(signature.slice(signaturePrefix.length), 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, problem: 'invalid-signature' };
  return { ok: true };
}

/** An operator-facing sentence for a refused bundle (names the key of the bundle, never key material). */
export function describeBundleRefusal(bundleKey: string, problem: 'unsigned' | 'invalid-signature'): string {
  return problem === 'unsigned'
    ? `rendered bundle ${bundleKey} carries no renderer signature (written by something other than the renderer, or before bundles were signed); it is not applied: render the revision again`
    : `rendered bundle ${bundleKey} has a signature that does not match its content under TIDEWATER_BUNDLE_KEY (forged or altered in Redis, or renderer and syncer hold different keys); it is not applied`;
}
