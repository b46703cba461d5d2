import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { RouteContext } from '../route-context.ts';

const ClientSettings = z.object({
  /** Set when `argocd-cm` `oidc.config` is configured: the login page shows a button "Log in with <name>". */
  oidcConfig: z.object({ name: z.string() }).optional(),
}).meta({ id: 'ClientSettings' });

/** What a client needs before logging in (Argo CD's public `GET /api/v1/settings`, reduced to what is not secret). */
export function registerSettingsRoutes(app: FastifyInstance, ctx: RouteContext): void {
  app.withTypeProvider<ZodTypeProvider>().get('/api/v1/settings', {
    config: { public: true },
    schema: { tags: ['session'], summary: 'Public client settings: whether single sign-on is configured', response: { 200: ClientSettings } },
  }, async () => {
    const { oidc } = (await ctx.rbac()).settings;
    return oidc ? { oidcConfig: { name: oidc.name } } : {};
  });
}
