import { describe, expect, it } from 'vitest';
import { maskSecretObject, maskSecretPair, secretMask } from './mask-secrets.ts';

const b64 = (value: string) => Buffer.from(value).toString('base64');
const secret = (content: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, ...content });

describe('maskSecretPair', () => {
  it('gives equal values equal masks and different values longer ones, comparing data and stringData by content', () => {
    const { live, desired } = maskSecretPair(
      secret({ data: { password: b64('old'), user: b64('admin'), only: b64('x') } }),
      secret({ stringData: { password: 'new', user: 'admin' } }),
    );
    expect(live).toMatchObject({ data: { password: secretMask, user: secretMask, only: secretMask } });
    expect(desired).toMatchObject({ stringData: { password: `${secretMask}+`, user: secretMask } });
  });

  it('masks the last-applied annotation and leaves other kinds alone', () => {
    const annotated = secret({
      metadata: { name: 'db', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ kind: 'Secret', data: { password: b64('pw') } }), team: 'a' } },
      data: { password: b64('pw') },
    });
    const masked = maskSecretObject(annotated) as unknown as { metadata: { annotations: Record<string, string> } };
    expect(JSON.stringify(masked)).not.toContain(b64('pw'));
    expect(masked.metadata.annotations.team).toBe('a');
    const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { visible: 'yes' } };
    expect(maskSecretObject(configMap)).toBe(configMap);
    expect(maskSecretObject(undefined)).toBeUndefined();
  });
});
