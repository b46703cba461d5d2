import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventTypes } from '@tidewater/events';
import { TokenId } from '../auth/api-tokens.ts';
import { conflict, invalidInput, notFound, permissionDenied, unauthenticated } from '../errors/api-errors.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses } from '../state/application-schema.ts';

const tags = ['accounts'];
import { security } from '../security.ts';
const Token = z.object({ id: z.string(), issuedAt: z.string(), expiresAt: z.string().optional() }).meta({ id: 'AccountToken' });
const Account = z.object({ name: z.string(), enabled: z.boolean(), capabilities: z.array(z.string()), groups: z.array(z.string()), tokens: z.array(Token) }).meta({ id: 'Account' });
const AccountName = z.object({ name: z.string().min(1).max(64) });

/** Argo CD's account API: list and get accounts, generate and delete API tokens, change a password, can-i. */
export function registerAccountRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  async function account(name: string) {
    const found = (await ctx.rbac()).settings.accounts.find((candidate) => candidate.name === name);
    if (!found) throw notFound(`account ${name}`);
    return found;
  }
  /** Acting on one's own account needs no permission; on another's, `accounts update` (or `get`). */
  async function authorizeAccount(request: Parameters<RouteContext['identity']>[0], name: string, action: 'get' | 'update') {
    const identity = ctx.identity(request);
    if (identity.via === 'project-token' || identity.subject !== name) await ctx.authorize(request, { resource: 'accounts', action, object: name });
  }

  routes.get('/api/v1/account', {
    schema: { tags, security, summary: 'List local accounts', response: { 200: z.object({ items: z.array(Account) }).meta({ id: 'AccountList' }), ...errorResponses } },
  }, async (request) => {
    await ctx.authorize(request, { resource: 'accounts', action: 'get', object: '*' });
    const accounts = (await ctx.rbac()).settings.accounts;
    return { items: await Promise.all(accounts.map(async (entry) => ({ ...entry, tokens: await ctx.apiTokens.list(entry.name) }))) };
  });

  routes.get('/api/v1/account/:name', {
    schema: { tags, security, summary: 'Get a local account and its tokens (never their secrets)', params: AccountName, response: { 200: Account, ...errorResponses } },
  }, async (request) => {
    const found = await account(request.params.name);
    await authorizeAccount(request, found.name, 'get');
    return { ...found, tokens: await ctx.apiTokens.list(found.name) };
  });

  routes.post('/api/v1/account/:name/token', {
    schema: {
      tags, security, summary: 'Generate an API token for an account with the apiKey capability (argocd account generate-token); shown once',
      params: AccountName,
      body: z.strictObject({
        id: TokenId.optional(),
        expiresIn: z.number().int().min(0).max(10 * 365 * 86_400).optional().describe('seconds; 0 or absent: never expires'),
        name: z.string().optional(),
      }).meta({ id: 'CreateAccountTokenRequest' }),
      response: { 200: z.object({ token: z.string(), id: z.string(), expiresAt: z.string().optional() }).meta({ id: 'CreateAccountTokenResponse' }), ...errorResponses, 409: errorResponses[400] },
    },
  }, async (request) => {
    const found = await account(request.params.name);
    await authorizeAccount(request, found.name, 'update');
    if (!found.enabled) throw conflict(`account ${found.name} is disabled`);
    if (!found.capabilities.includes('apiKey')) throw conflict(`account ${found.name} does not have the apiKey capability (argocd-cm accounts.${found.name}: apiKey)`);
    const { id, expiresIn } = request.body;
    const created = await ctx.apiTokens.create(found.name, { ...(id ? { id } : {}), ...(expiresIn ? { expiresInSeconds: expiresIn } : {}) })
      .catch((error: Error) => { throw conflict(error.message); });
    await ctx.events.publish({ type: eventTypes.tokenCreated, data: { actor: ctx.identity(request).subject, account: found.name, tokenId: created.info.id } });
    return { token: created.token, id: created.info.id, ...(created.info.expiresAt ? { expiresAt: created.info.expiresAt } : {}) };
  });

  routes.delete('/api/v1/account/:name/token/:id', {
    schema: { tags, security, summary: 'Revoke an API token', params: AccountName.extend({ id: z.string().min(1).max(64) }), response: { 200: z.object({}), ...errorResponses } },
  }, async (request) => {
    const found = await account(request.params.name);
    await authorizeAccount(request, found.name, 'update');
    if (!await ctx.apiTokens.revoke(found.name, request.params.id)) throw notFound(`token ${request.params.id} of account ${found.name}`);
    await ctx.events.publish({ type: eventTypes.tokenRevoked, data: { actor: ctx.identity(request).subject, account: found.name, tokenId: request.params.id } });
    return {};
  });

  routes.put('/api/v1/account/password', {
    schema: {
      tags, security, summary: 'Change a password: one\'s own with the current password, another account\'s with accounts update and one\'s own password',
      body: z.strictObject({ name: z.string().min(1).max(64).optional(), currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(8).max(1024) }).meta({ id: 'UpdatePasswordRequest' }),
      response: { 200: z.object({}), ...errorResponses },
    },
  }, async (request) => {
    const identity = ctx.identity(request);
    if (identity.via === 'project-token') throw permissionDenied({ resource: 'accounts', action: 'update', object: request.body.name ?? '*' });
    const target = await account(request.body.name ?? identity.subject);
    await authorizeAccount(request, target.name, 'update');
    if (!await ctx.passwords.verify(identity.subject, request.body.currentPassword)) throw unauthenticated('current password is wrong');
    if (request.body.newPassword === request.body.currentPassword && target.name === identity.subject) throw invalidInput('body.newPassword', 'must differ from the current password');
    await ctx.passwords.set(target.name, request.body.newPassword);
    await ctx.events.publish({ type: eventTypes.passwordChanged, data: { actor: identity.subject, account: target.name } });
    return {};
  });

  routes.get('/api/v1/account/can-i/:resource/:action/:subresource', {
    schema: {
      tags, security, summary: 'Whether the caller may do an action (argocd account can-i)',
      params: z.object({ resource: z.string().min(1), action: z.string().min(1), subresource: z.string().min(1) }),
      response: { 200: z.object({ value: z.enum(['yes', 'no']) }).meta({ id: 'CanIResponse' }), 401: errorResponses[401] },
    },
  }, async (request) => {
    const { resource, action, subresource } = request.params;
    const allowed = (await ctx.rbac()).can(ctx.identity(request), { resource: resource as 'applications', action, object: subresource });
    return { value: allowed ? 'yes' as const : 'no' as const };
  });
}
