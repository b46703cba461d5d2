import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventTypes } from '@tidewater/events';
import { notFound } from '../errors/api-errors.ts';
import { projectRolesOf } from '../rbac/rbac-config.ts';
import type { RouteContext } from '../route-context.ts';
import { errorResponses } from '../state/application-schema.ts';

const tags = ['projects'];
import { security } from '../security.ts';
const TokenRecord = z.object({ id: z.string(), iat: z.number(), exp: z.number().optional(), issuedBy: z.string().optional() }).meta({ id: 'JwtToken' });
const ProjectView = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.looseObject({}),
  status: z.object({ jwtTokensByRole: z.record(z.string(), z.object({ items: z.array(TokenRecord) })) }),
}).meta({ id: 'AppProject' });
const RoleParams = z.object({ project: z.string().min(1).max(253), role: z.string().min(1).max(253) });

/** AppProjects (read from the configuration) and Argo CD's project role tokens. */
export function registerProjectRoutes(app: FastifyInstance, ctx: RouteContext): void {
  const routes = app.withTypeProvider<ZodTypeProvider>();

  function project(name: string) {
    const found = ctx.config().projects.find((candidate) => candidate.metadata.name === name);
    if (!found) throw notFound(`project ${name}`);
    return found;
  }
  function role(projectName: string, roleName: string) {
    const found = projectRolesOf(project(projectName)).find((candidate) => candidate.name === roleName);
    if (!found) throw notFound(`role ${roleName} of project ${projectName}`);
    return found;
  }
  async function view(name: string) {
    const found = project(name);
    const roles = projectRolesOf(found);
    const byRole: Record<string, { items: Array<z.infer<typeof TokenRecord>> }> = Object.fromEntries(await Promise.all(roles.map(async (entry) => {
      const issued = await ctx.projectTokens.list(name, entry.name);
      const listed = entry.jwtTokens.map((token) => ({ id: token.id ?? String(token.iat), iat: token.iat, ...(token.exp ? { exp: token.exp } : {}) }));
      const items: Array<z.infer<typeof TokenRecord>> = [...listed, ...issued.filter((record) => !listed.some((token) => token.id === record.id))];
      return [entry.name, { items }];
    })));
    return { metadata: { name }, spec: found.spec as Record<string, unknown>, status: { jwtTokensByRole: byRole } };
  }

  routes.get('/api/v1/projects', {
    schema: { tags, security, summary: 'List projects the caller may get', response: { 200: z.object({ items: z.array(ProjectView) }).meta({ id: 'AppProjectList' }), ...errorResponses } },
  }, async (request) => {
    const rbac = await ctx.rbac();
    const identity = ctx.identity(request);
    const names = ctx.config().projects.map((entry) => entry.metadata.name)
      .filter((name) => rbac.can(identity, { resource: 'projects', action: 'get', object: name }));
    return { items: await Promise.all(names.map(view)) };
  });

  routes.get('/api/v1/projects/:name', {
    schema: { tags, security, summary: 'Get a project', params: z.object({ name: z.string().min(1).max(253) }), response: { 200: ProjectView, ...errorResponses } },
  }, async (request) => {
    project(request.params.name);
    await ctx.authorize(request, { resource: 'projects', action: 'get', object: request.params.name });
    return view(request.params.name);
  });

  routes.post('/api/v1/projects/:project/roles/:role/token', {
    schema: {
      tags, security, summary: 'Create a project role token (argocd proj role create-token); shown once',
      params: RoleParams,
      body: z.strictObject({
        id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).optional(),
        expiresIn: z.number().int().min(0).max(10 * 365 * 86_400).optional().describe('seconds; 0 or absent: never expires (as in Argo CD)'),
        description: z.string().max(256).optional(),
      }).meta({ id: 'ProjectTokenCreateRequest' }),
      response: { 200: z.object({ token: z.string(), id: z.string(), iat: z.number(), exp: z.number().optional() }).meta({ id: 'ProjectTokenResponse' }), ...errorResponses },
    },
  }, async (request) => {
    const { project: projectName, role: roleName } = request.params;
    role(projectName, roleName);
    await ctx.authorize(request, { resource: 'projects', action: 'update', object: projectName });
    const actor = ctx.identity(request).subject;
    const { token, record } = await ctx.projectTokens.create(projectName, roleName, {
      ...(request.body.id ? { id: request.body.id } : {}), ...(request.body.expiresIn ? { expiresInSeconds: request.body.expiresIn } : {}), issuedBy: actor,
    });
    await ctx.events.publish({ type: eventTypes.tokenCreated, data: { actor, project: projectName, role: roleName, tokenId: record.id } });
    return { token, id: record.id, iat: record.iat, ...(record.exp ? { exp: record.exp } : {}) };
  });

  routes.delete('/api/v1/projects/:project/roles/:role/token/:iat', {
    schema: {
      tags, security, summary: 'Revoke a project role token by its iat (argocd proj role delete-token)',
      params: RoleParams.extend({ iat: z.coerce.number().int().min(0) }),
      response: { 200: z.object({}), ...errorResponses },
    },
  }, async (request) => {
    const { project: projectName, role: roleName, iat } = request.params;
    role(projectName, roleName);
    await ctx.authorize(request, { resource: 'projects', action: 'update', object: projectName });
    if (!await ctx.projectTokens.revoke(projectName, roleName, iat)) throw notFound(`token iat ${iat} of role ${roleName} in project ${projectName} (tokens listed in the AppProject are revoked by removing them there)`);
    await ctx.events.publish({ type: eventTypes.tokenRevoked, data: { actor: ctx.identity(request).subject, project: projectName, role: roleName, iat } });
    return {};
  });
}
