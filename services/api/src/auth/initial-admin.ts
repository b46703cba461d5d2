import { mkdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { createPasswordStore } from './passwords.ts';

export interface InitialAdmin {
  /** True when this start set the admin password (none was stored). */
  created: boolean;
  /** Where a generated password was written (mode 0600), like Argo CD's argocd-initial-admin-secret. */
  passwordFile?: string;
}

/** Where the API keeps files of its own: TIDEWATER_STATE_DIR, else ~/.local/share/tidewater. */
export function defaultStateDir(): string {
  return process.env.TIDEWATER_STATE_DIR ?? join(homedir(), '.local', 'share', 'tidewater');
}

/**
 * First start: the admin's password comes from a secret (`password`, resolved from a reference by the caller) or
 * is generated and written once to `<stateDir>/initial-admin-password` (0600). Later starts change nothing.
 */
export async function bootstrapAdmin(redis: Redis, options: { password?: string; stateDir?: string }): Promise<InitialAdmin> {
  const result = await createPasswordStore(redis).initialiseAdmin(options.password);
  if (!result.created || !result.password) return { created: result.created };
  const dir = options.stateDir ?? defaultStateDir();
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const passwordFile = join(dir, 'initial-admin-password');
  writeFileSync(passwordFile, `${result.password}\n`, { mode: 0o600 });
  return { created: true, passwordFile };
}
