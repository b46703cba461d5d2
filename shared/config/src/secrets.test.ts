import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeSecretRef, resolveSecret, SecretRefError } from './secrets.ts';

describe('resolveSecret', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tidewater-secret-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads an env var', () => {
    expect(resolveSecret({ env: 'TIDEWATER_GH_SECRET' }, { TIDEWATER_GH_SECRET: 's3cret\n' })).toBe('s3cret');
  });

  it('reads a file without its trailing newline', async () => {
    const file = join(dir, 'webhook');
    await writeFile(file, 'from-file\n');
    expect(resolveSecret({ file })).toBe('from-file');
  });

  it('names the reference, never a value, when it cannot resolve', () => {
    expect(() => resolveSecret({ env: 'TIDEWATER_GH_SECRET' }, {})).toThrow(new SecretRefError({ env: 'TIDEWATER_GH_SECRET' }, 'is not set'));
    expect(() => resolveSecret({ env: 'TIDEWATER_GH_SECRET' }, {})).toThrow('env TIDEWATER_GH_SECRET is not set');
    expect(() => resolveSecret({ file: join(dir, 'missing') })).toThrow(`file ${join(dir, 'missing')} cannot be read (ENOENT)`);
    expect(describeSecretRef({ env: 'A' })).toBe('env A');
  });
});
