import { readFileSync } from 'node:fs';
import type { SecretRef } from './schema/secret-ref.ts';

/** A secret reference that cannot be resolved. Names the reference, never a value. */
export class SecretRefError extends Error {
  readonly ref: string;

  constructor(ref: SecretRef, problem: string, options?: { cause?: unknown }) {
    super(`${describeSecretRef(ref)} ${problem}`, options);
    this.name = 'SecretRefError';
    this.ref = describeSecretRef(ref);
  }
}

/** `env TIDEWATER_GH_SECRET` or `file /run/secrets/gh`: safe to log. */
export function describeSecretRef(ref: SecretRef): string {
  return 'env' in ref ? `env ${ref.env}` : `file ${ref.file}`;
}

/**
 * Reads a secret from its environment variable or file, without the trailing newline that editors and
 * `kubectl create secret --from-file` leave. Read it where it is used; do not copy it into logs or jobs.
 */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env): string {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined) throw new SecretRefError(ref, 'is not set');
    if (value === '') throw new SecretRefError(ref, 'is empty');
    return stripTrailingNewline(value);
  }
  let content: string;
  try {
    content = readFileSync(ref.file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new SecretRefError(ref, `cannot be read (${code})`, { cause: error });
  }
  const value = stripTrailingNewline(content);
  if (value === '') throw new SecretRefError(ref, 'is empty');
  return value;
}

function stripTrailingNewline(value: string): string {
  return value.replace(/\r?\n$/, '');
}
