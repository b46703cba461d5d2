import { createInterface } from 'node:readline/promises';
import { Command } from 'commander';
import { createApiClient } from './api-client.ts';
import { readCliConfig, writeCliConfig, type CliContext } from './config-file.ts';
import { CliError } from './exit-codes.ts';
import type { CommandIo } from './app-commands.ts';

export interface SessionIo extends CommandIo {
  configPath(): string;
  env: NodeJS.ProcessEnv;
}

async function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
  process.stderr.write(question);
  const answer = await rl.question('');
  rl.close();
  return answer;
}

/** `tide login <url>`, `tide logout`, `tide context`: contexts in ~/.config/tide/config (0600). */
export function sessionCommands(io: SessionIo): Command[] {
  const login = new Command('login').description('Log in to a Tidewater API and store it as the current context').argument('<server>', 'API URL, e.g. http://127.0.0.1:8083')
    .option('--username <name>', 'local account (default: admin)')
    .option('--password <password>', 'password (default: TIDE_PASSWORD, else asked on stdin)')
    .option('--auth-token <token>', 'an API or project role token instead of a password (TIDE_AUTH_TOKEN)')
    .option('--name <context>', 'context name (default: the server URL)')
    .action(async (serverArg: string, options: { username?: string; password?: string; authToken?: string; name?: string }) => {
      const server = /^https?:\/\//.test(serverArg) ? serverArg.replace(/\/+$/, '') : `http://${serverArg}`;
      let authToken = options.authToken ?? (options.password || options.username ? undefined : io.env.TIDE_AUTH_TOKEN);
      let username = options.username;
      if (!authToken) {
        username ??= 'admin';
        const password = options.password ?? io.env.TIDE_PASSWORD ?? await prompt('Password: ');
        if (!password) throw new CliError('a password is required (--password, TIDE_PASSWORD or stdin)');
        authToken = (await createApiClient(server).request<{ token: string }>('POST', '/api/v1/session', { username, password })).token;
      }
      const info = await createApiClient(server, authToken).request<{ username: string }>('GET', '/api/v1/session/userinfo');
      const name = options.name ?? server;
      const config = readCliConfig(io.configPath());
      const context: CliContext = { name, server, username: info.username, authToken };
      writeCliConfig(io.configPath(), { currentContext: name, contexts: [...config.contexts.filter((entry) => entry.name !== name), context] });
      io.out(`'${info.username}' logged in successfully\nContext '${name}' updated`);
    });

  const logout = new Command('logout').description('Log out of a context (ends its session) and forget its token').argument('[context]')
    .action(async (contextName: string | undefined) => {
      const config = readCliConfig(io.configPath());
      const name = contextName ?? config.currentContext;
      const context = config.contexts.find((entry) => entry.name === name);
      if (!context) throw new CliError(`no context ${name ?? ''}`.trim());
      await createApiClient(context.server, context.authToken).request('DELETE', '/api/v1/session').catch(() => undefined);
      writeCliConfig(io.configPath(), { ...(config.currentContext && config.currentContext !== name ? { currentContext: config.currentContext } : {}), contexts: config.contexts.filter((entry) => entry.name !== name) });
      io.out(`Logged out from '${name}'`);
    });

  const context = new Command('context').description('List contexts, or switch to one').argument('[name]')
    .action(async (name: string | undefined) => {
      const config = readCliConfig(io.configPath());
      if (name) {
        if (!config.contexts.some((entry) => entry.name === name)) throw new CliError(`no context ${name}`);
        writeCliConfig(io.configPath(), { ...config, currentContext: name });
        return io.out(`Switched to context '${name}'`);
      }
      io.out(['CURRENT  NAME  SERVER  USER', ...config.contexts.map((entry) => `${entry.name === config.currentContext ? '*' : ' '}        ${entry.name}  ${entry.server}  ${entry.username ?? ''}`)].join('\n'));
    });
  return [login, logout, context];
}
