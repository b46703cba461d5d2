import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventTypes } from '@tidewater/events';
import { csrfCookie, sessionCookie } from '../auth/authenticate.ts';
import { safeReturnTo, type OidcLogin } from '../auth/oidc-login.ts';
import { ApiError } from '../errors/api-errors.ts';
import type { RouteContext } from '../route-context.ts';
import { ErrorResponse } from '../state/application-schema.ts';

/** Argo CD's SSO paths: `/auth/login` sends the browser to the OIDC provider, `/auth/callback` makes the session. */
export function registerSsoRoutes(app: FastifyInstance, ctx: RouteContext, oidc: OidcLogin): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();
  async function configured() {
    const settings = (await ctx.rbac()).settings;
    if (!settings.oidc) throw new ApiError(404, 'NotFound', 'single sign-on is not configured (argocd-cm oidc.config)');
    if (!settings.url) throw new ApiError(503, 'Unavailable', 'argocd-cm url (the API\'s external URL) is needed for the OIDC redirect');
    return { oidc: settings.oidc, url: settings.url, scopes: settings.scopes };
  }

  routes.get('/auth/login', {
    config: { public: true },
    schema: {
      tags: ['session'], summary: 'Start a single sign-on login (redirects to the OIDC provider)',
      querystring: z.object({ return_url: z.string().max(2_048).optional().describe('a path of this API to return to') }),
      response: { 303: z.null().describe('redirect to the provider'), 404: ErrorResponse, 503: ErrorResponse },
    },
  }, async (request, reply) => {
    const { oidc: settings, url } = await configured();
    const target = await oidc.start(settings, `${url}/auth/callback`, safeReturnTo(request.query.return_url));
    return reply.code(303).header('location', target.href).send(null);
  });

  routes.get('/auth/callback', {
    config: { public: true },
    schema: {
      tags: ['session'], summary: 'The OIDC provider\'s redirect back: sets the session cookies and returns to the page',
      querystring: z.looseObject({ state: z.string().optional(), code: z.string().optional() }),
      response: { 303: z.null().describe('redirect to the page'), 401: ErrorResponse, 404: ErrorResponse, 503: ErrorResponse },
    },
  }, async (request, reply) => {
    const { oidc: settings, url, scopes } = await configured();
    const { user, returnTo } = await oidc.finish(settings, new URL(request.url, url), scopes);
    const session = await ctx.sessions.create(user.subject, ctx.sessionTtlSeconds, { groups: user.groups });
    await ctx.events.publish({ type: eventTypes.loginSucceeded, data: { actor: user.subject, via: 'sso', address: request.ip } });
    const secure = url.startsWith('https:');
    void reply.setCookie(sessionCookie, session.token, { httpOnly: true, sameSite: 'lax', secure, path: '/', maxAge: ctx.sessionTtlSeconds });
    void reply.setCookie(csrfCookie, session.csrf, { httpOnly: false, sameSite: 'lax', secure, path: '/', maxAge: ctx.sessionTtlSeconds });
    return reply.code(303).header('location', returnTo).send(null);
  });
}
