import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { CliError } from './exit-codes.ts';

/** One API the CLI logged in to (argocd's context: server + user). */
export const CliContext = z.object({
  name: z.string().min(1),
  server: z.string().url(),
  username: z.string().optional(),
  /** A session token (password login) or an API / project token (`--auth-token`). */
  authToken: z.string().min(1),
});
export type CliContext = z.infer<typeof CliContext>;

export const CliConfig = z.object({
  currentContext: z.string().optional(),
  contexts: z.array(CliContext).default([]),
});
export type CliConfig = z.infer<typeof CliConfig>;

/** `~/.config/tide/config` (or `$XDG_CONFIG_HOME/tide/config`, or `--config`). */
export function defaultConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'tide', 'config');
}

export function readCliConfig(path: string): CliConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { contexts: [] };
  }
  const parsed = CliConfig.safeParse(parse(text) ?? {});
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    throw new CliError(`${path}: ${issue.path.join('.') || '(file)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** Writes the file readable by its owner only (it holds tokens). */
export function writeCliConfig(path: string, config: CliConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, stringify(config), { mode: 0o600 });
  chmodSync(path, 0o600);
}

/** The context to use: `--server`/`--auth-token` (or TIDE_SERVER / TIDE_AUTH_TOKEN) over the current context. */
export function resolveContext(config: CliConfig, overrides: { server?: string; authToken?: string; context?: string }): CliContext {
  const name = overrides.context ?? config.currentContext;
  const stored = config.contexts.find((context) => context.name === name) ?? (overrides.server ? config.contexts.find((context) => context.server === overrides.server) : undefined);
  const server = overrides.server ?? stored?.server;
  const authToken = overrides.authToken ?? stored?.authToken;
  if (!server) throw new CliError('no server: run `tide login <url>` first, or pass --server (TIDE_SERVER)');
  if (!authToken) throw new CliError(`not logged in to ${server}: run \`tide login ${server}\`, or pass --auth-token (TIDE_AUTH_TOKEN)`);
  return { name: stored?.name ?? server, server, authToken, ...(stored?.username ? { username: stored.username } : {}) };
}
