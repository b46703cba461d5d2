import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RenderedBundle } from './bundle.ts';
import {
  BundleSigningKey, bundleSigningKeyFromEnv, canonicalBundleJson, generateBundleSigningKey, loadOrCreateBundleKeyFile, requireBundleSigningKey, signBundle, verifyBundleSignature,
} from './bundle-signature.ts';

const bundle: RenderedBundle = {
  app: 'shop', repoURL: 'https://git.example.com/acme/shop.git', revision: 'a'.repeat(40), path: 'deploy', renderer: 'directory',
  renderedAt: '2026-11-29T00:00:00.000Z', objects: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { b: '2', a: '1' } }, data: { x: '1' } }],
};

describe('bundle signatures', () => {
  it('verify a signed bundle, also after a JSON round trip with keys in another order', () => {
    const key = generateBundleSigningKey();
    const signed = signBundle(bundle, key);
    expect(signed.signature).toMatch(/^v1:[0-9a-f]{64}$/);
    const { objects, signature, ...rest } = signed;
    const reordered = JSON.parse(JSON.stringify({ signature, objects: objects.map((object) => ({ data: object.data, ...object })), ...rest })) as RenderedBundle;
    expect(verifyBundleSignature(reordered, key)).toEqual({ ok: true });
    expect(canonicalBundleJson(signed)).toBe(canonicalBundleJson(bundle));
  });

  it('refuse unsigned, altered, re-targeted and foreign-key bundles', () => {
    const key = generateBundleSigningKey();
    const signed = signBundle(bundle, key);
    expect(verifyBundleSignature(bundle, key)).toEqual({ ok: false, problem: 'unsigned' });
    expect(verifyBundleSignature({ ...signed, app: 'other' }, key)).toEqual({ ok: false, problem: 'invalid-signature' });
    expect(verifyBundleSignature({ ...signed, objects: [] }, key)).toEqual({ ok: false, problem: 'invalid-signature' });
    expect(verifyBundleSignature({ ...signed, signature: 'v1:zz' }, key)).toEqual({ ok: false, problem: 'invalid-signature' });
    expect(verifyBundleSignature(signed, generateBundleSigningKey())).toEqual({ ok: false, problem: 'invalid-signature' });
  });

  it('read the key from TIDEWATER_BUNDLE_KEY or its file, refuse short keys and never print key material', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidewater-bundle-key-'));
    try {
      const material = 'k'.repeat(40);
      writeFileSync(join(dir, 'key'), `${material}\n`);
      const fromEnv = bundleSigningKeyFromEnv({ TIDEWATER_BUNDLE_KEY: material })!;
      const fromFile = bundleSigningKeyFromEnv({ TIDEWATER_BUNDLE_KEY_FILE: join(dir, 'key') })!;
      expect(verifyBundleSignature(signBundle(bundle, fromEnv), fromFile)).toEqual({ ok: true });
      expect(bundleSigningKeyFromEnv({})).toBeUndefined();
      expect(() => bundleSigningKeyFromEnv({ TIDEWATER_BUNDLE_KEY: 'short' })).toThrow(/at least 32 characters/);
      expect(() => requireBundleSigningKey('syncer', {})).toThrow(/the syncer needs TIDEWATER_BUNDLE_KEY/);
      expect(() => new BundleSigningKey(Buffer.alloc(8))).toThrow(/at least 32 bytes/);
      expect(JSON.stringify({ deps: fromEnv })).not.toContain(material);
      expect(String(fromEnv)).toBe('[bundle signing key]');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keep tide all\'s own key in a file readable by its owner only, the same across restarts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tidewater-bundle-key-'));
    try {
      const path = join(dir, 'renderer', 'bundle-signing.key');
      const first = loadOrCreateBundleKeyFile(path);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const again = loadOrCreateBundleKeyFile(path);
      expect(verifyBundleSignature(signBundle(bundle, first), again)).toEqual({ ok: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
