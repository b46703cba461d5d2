import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventTypes } from '@tidewater/events';
import { csrfCookie, sessionCookie } from '../auth/authenticate.ts';
import { unauthenticated } from '../errors/api-errors.ts';
import type { RouteContext } from '../route-context.ts';
import { ErrorResponse } from '../state/application-schema.ts';
import { security } from '../security.ts';

const tags = ['session'];

/** Argo CD's session API: `POST /api/v1/session` (password login), `DELETE` (logout), `GET …/userinfo`. */
export function registerSessionRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.post('/api/v1/session', {
    config: { public: true },
    schema: {
      tags, summary: 'Log in with a local account: a session token (also set as an HttpOnly cookie with a CSRF cookie)',
      body: z.strictObject({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).meta({ id: 'SessionCreateRequest' }),
      response: {
        200: z.object({ token: z.string(), expiresAt: z.string() }).meta({ id: 'SessionResponse' }),
        400: ErrorResponse, 401: ErrorResponse, 429: ErrorResponse,
      },
    },
  }, async (request, reply) => {
    const { username, password } = request.body;
    await ctx.loginLimiter.check(username, request.ip);
    const account = (await ctx.rbac()).settings.accounts.find((candidate) => candidate.name === username);
    const passwordOk = await ctx.passwords.verify(username, password);
    if (!account || !account.enabled || !account.capabilities.includes('login') || !passwordOk) {
      await ctx.loginLimiter.recordFailure(username, request.ip);
      await ctx.events.publish({ type: eventTypes.loginFailed, data: { account: username, address: request.ip } });
      throw unauthenticated('invalid username or password');
    }
    await ctx.loginLimiter.recordSuccess(username);
    const session = await ctx.sessions.create(username, ctx.sessionTtlSeconds);
    await ctx.events.publish({ type: eventTypes.loginSucceeded, data: { actor: username, address: request.ip } });
    const secure = request.protocol === 'https';
    void reply.setCookie(sessionCookie, session.token, { httpOnly: true, sameSite: 'strict', secure, path: '/', maxAge: ctx.sessionTtlSeconds });
    // Readable by the page's script, which echoes it in X-CSRF-Token (double submit, bound to the session).
    void reply.setCookie(csrfCookie, session.csrf, { httpOnly: false, sameSite: 'strict', secure, path: '/', maxAge: ctx.sessionTtlSeconds });
    return { token: session.token, expiresAt: session.expiresAt };
  });

  routes.delete('/api/v1/session', {
    schema: { tags, summary: 'Log out: the session token stops working', security, response: { 200: z.object({}), 401: ErrorResponse, 403: ErrorResponse } },
  }, async (request, reply) => {
    const identity = ctx.identity(request);
    if (identity.via === 'session' && identity.tokenId) await ctx.sessions.revoke(identity.tokenId);
    void reply.clearCookie(sessionCookie, { path: '/' }).clearCookie(csrfCookie, { path: '/' });
    return {};
  });

  routes.get('/api/v1/session/userinfo', {
    schema: {
      tags, summary: 'Who the caller is', security,
      response: { 200: z.object({ loggedIn: z.boolean(), username: z.string(), groups: z.array(z.string()), via: z.string() }).meta({ id: 'UserInfo' }), 401: ErrorResponse },
    },
  }, async (request) => {
    const identity = ctx.identity(request);
    return { loggedIn: true, username: identity.subject, groups: identity.groups, via: identity.via };
  });
}
