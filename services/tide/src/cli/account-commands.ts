import { Command, Option } from 'commander';
import type { CommandIo } from './app-commands.ts';
import { parseDuration } from './duration.ts';
import { CliError } from './exit-codes.ts';
import { outputFormat, structured, table } from './output.ts';

interface Account { name: string; enabled: boolean; capabilities: string[]; groups: string[]; tokens: Array<{ id: string; issuedAt: string; expiresAt?: string }> }

/** `tide account …` (argocd account): tokens, password, can-i, user info. */
export function accountCommand(io: CommandIo): Command {
  const account = new Command('account').description('Local accounts and their API tokens (as `argocd account`)');
  const self = async () => (await io.client().request<{ username: string }>('GET', '/api/v1/session/userinfo')).username;

  account.command('generate-token').description('Generate an API token (shown once); the account needs the apiKey capability')
    .option('-a, --account <name>', 'account (default: the logged-in one)')
    .option('-e, --expires-in <duration>', 'e.g. 30m, 12h, 90d (default: never)')
    .option('--id <id>', 'token id (default: random)')
    .action(async (options: { account?: string; expiresIn?: string; id?: string }) => {
      const name = options.account ?? await self();
      const created = await io.client().request<{ token: string }>('POST', `/api/v1/account/${encodeURIComponent(name)}/token`, {
        ...(options.expiresIn ? { expiresIn: parseDuration(options.expiresIn) } : {}), ...(options.id ? { id: options.id } : {}),
      });
      io.out(created.token);
    });

  account.command('delete-token').description('Revoke an API token').argument('<id>').option('-a, --account <name>', 'account (default: the logged-in one)')
    .action(async (id: string, options: { account?: string }) => {
      const name = options.account ?? await self();
      await io.client().request('DELETE', `/api/v1/account/${encodeURIComponent(name)}/token/${encodeURIComponent(id)}`);
      io.out(`token ${id} of ${name} revoked`);
    });

  account.command('list').description('List accounts').addOption(new Option('-o, --output <format>').choices(['json', 'yaml']))
    .action(async (options: { output?: string }) => {
      const { items } = await io.client().request<{ items: Account[] }>('GET', '/api/v1/account');
      const format = outputFormat(options.output, ['json', 'yaml']);
      if (format === 'json' || format === 'yaml') return io.out(structured(items, format));
      io.out(table(['NAME', 'ENABLED', 'CAPABILITIES', 'TOKENS'], items.map((item) => [item.name, String(item.enabled), item.capabilities.join(', '), String(item.tokens.length)])));
    });

  account.command('get').description('Show an account and its tokens').option('-a, --account <name>').addOption(new Option('-o, --output <format>').choices(['json', 'yaml']))
    .action(async (options: { account?: string; output?: string }) => {
      const found = await io.client().request<Account>('GET', `/api/v1/account/${encodeURIComponent(options.account ?? await self())}`);
      const format = outputFormat(options.output, ['json', 'yaml']);
      if (format === 'json' || format === 'yaml') return io.out(structured(found, format));
      io.out([`Name:               ${found.name}`, `Enabled:            ${found.enabled}`, `Capabilities:       ${found.capabilities.join(', ')}`, '', 'Tokens:',
        found.tokens.length ? table(['ID', 'ISSUED AT', 'EXPIRING AT'], found.tokens.map((token) => [token.id, token.issuedAt, token.expiresAt ?? 'never'])) : 'NONE'].join('\n'));
    });

  account.command('get-user-info').description('Who am I').action(async () => {
    const info = await io.client().request<{ username: string; groups: string[]; via: string }>('GET', '/api/v1/session/userinfo');
    io.out(`Logged In: true\nUsername: ${info.username}\nGroups: ${info.groups.join(',')}\nAuthenticated by: ${info.via}`);
  });

  account.command('update-password').description('Change a password (one\'s own, or --account with accounts update)')
    .option('--account <name>').requiredOption('--current-password <password>').requiredOption('--new-password <password>')
    .action(async (options: { account?: string; currentPassword: string; newPassword: string }) => {
      await io.client().request('PUT', '/api/v1/account/password', { ...(options.account ? { name: options.account } : {}), currentPassword: options.currentPassword, newPassword: options.newPassword });
      io.out('Password updated');
    });

  account.command('can-i').description('Whether you may: can-i sync applications \'default/*\'').argument('<action>').argument('<resource>').argument('<subresource>')
    .action(async (action: string, resource: string, subresource: string) => {
      const { value } = await io.client().request<{ value: string }>('GET', `/api/v1/account/can-i/${encodeURIComponent(resource)}/${encodeURIComponent(action)}/${encodeURIComponent(subresource)}`);
      io.out(value);
      if (value !== 'yes') throw new CliError('', 1);
    });
  return account;
}

/** `tide proj …` (argocd proj): list, role tokens. */
export function projCommand(io: CommandIo): Command {
  const proj = new Command('proj').description('Projects and project role tokens (as `argocd proj`)');
  proj.command('list').description('List projects').action(async () => {
    const { items } = await io.client().request<{ items: Array<{ metadata: { name: string }; spec: { description?: string } }> }>('GET', '/api/v1/projects');
    io.out(table(['NAME', 'DESCRIPTION'], items.map((item) => [item.metadata.name, item.spec.description ?? ''])));
  });
  const role = proj.command('role').description('Project roles');
  role.command('create-token').description('Create a project role token (shown once; never expires unless -e)').argument('<project>').argument('<role>')
    .option('-e, --expires-in <duration>', 'e.g. 10m, 24h').option('-i, --id <id>', 'token id').option('-t, --token-only', 'print only the token (the default output)')
    .action(async (project: string, roleName: string, options: { expiresIn?: string; id?: string }) => {
      const created = await io.client().request<{ token: string }>('POST', `/api/v1/projects/${encodeURIComponent(project)}/roles/${encodeURIComponent(roleName)}/token`, {
        ...(options.expiresIn ? { expiresIn: parseDuration(options.expiresIn) } : {}), ...(options.id ? { id: options.id } : {}),
      });
      io.out(created.token);
    });
  role.command('delete-token').description('Revoke a project role token by its issued-at (see list-tokens)').argument('<project>').argument('<role>').argument('<iat>')
    .action(async (project: string, roleName: string, iat: string) => {
      await io.client().request('DELETE', `/api/v1/projects/${encodeURIComponent(project)}/roles/${encodeURIComponent(roleName)}/token/${encodeURIComponent(iat)}`);
      io.out(`token ${iat} of ${project}/${roleName} revoked`);
    });
  role.command('list-tokens').description('List a role\'s tokens').argument('<project>').argument('<role>')
    .action(async (project: string, roleName: string) => {
      const found = await io.client().request<{ status: { jwtTokensByRole: Record<string, { items: Array<{ id: string; iat: number; exp?: number }> }> } }>('GET', `/api/v1/projects/${encodeURIComponent(project)}`);
      const tokens = found.status.jwtTokensByRole[roleName]?.items ?? [];
      io.out(table(['ID', 'ISSUED AT', 'EXPIRES AT'], tokens.map((token) => [token.id, String(token.iat), token.exp ? new Date(token.exp * 1000).toISOString() : 'never'])));
    });
  return proj;
}
