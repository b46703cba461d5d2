import type { FastifyRequest } from 'fastify';
import type { TidewaterConfig } from '@tidewater/config';
import { unauthenticated } from '../errors/api-errors.ts';
import { projectRolesOf, type RbacSettings } from '../rbac/rbac-config.ts';
import type { ApiTokenStore } from './api-tokens.ts';
import type { Identity } from './identity.ts';
import type { ProjectTokenStore, SessionStore } from './jwt-tokens.ts';

export const sessionCookie = 'tidewater.token';
export const csrfCookie = 'tidewater.csrf';
export const csrfHeader = 'x-csrf-token';

export interface AuthenticateDeps {
  config: () => TidewaterConfig;
  settings: () => RbacSettings;
  apiTokens: ApiTokenStore;
  sessions: SessionStore;
  projectTokens: ProjectTokenStore;
}

export type Authenticate = (request: FastifyRequest) => Promise<Identity>;

/**
 * Who is calling: `Authorization: Bearer <token>` (an account API token `tw_…`, a session JWT, or a project role
 * JWT) or the session cookie. A token of a disabled or removed account, or of a removed project role, is refused.
 */
export function createAuthenticate(deps: AuthenticateDeps): Authenticate {
  function account(name: string) {
    const found = deps.settings().accounts.find((candidate) => candidate.name === name);
    return found?.enabled ? found : undefined;
  }

  return async (request) => {
    const header = request.headers.authorization;
    const cookie = (request.cookies as Record<string, string | undefined> | undefined)?.[sessionCookie];
    let token: string | undefined;
    let fromCookie = false;
    if (header) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match) throw unauthenticated('Authorization must be "Bearer <token>"');
      token = match[1];
    } else if (cookie) {
      token = cookie;
      fromCookie = true;
    }
    if (!token) throw unauthenticated();

    if (token.startsWith('tw_')) {
      if (fromCookie) throw unauthenticated('API tokens are sent as Authorization: Bearer, not as a cookie');
      const found = await deps.apiTokens.verify(token);
      const owner = found && account(found.account);
      if (!found || !owner || !owner.capabilities.includes('apiKey')) throw unauthenticated('invalid, expired or revoked token');
      return { subject: owner.name, groups: owner.groups, via: 'api-token', tokenId: found.id };
    }
    const session = await deps.sessions.verify(token);
    if (session?.sso) {
      if (!deps.settings().oidc) throw unauthenticated('single sign-on is no longer configured; log in again');
      return { subject: session.account, groups: session.sso.groups, via: 'sso', tokenId: session.sessionId, ...(fromCookie ? { cookie: { csrf: session.csrf } } : {}) };
    }
    if (session) {
      const owner = account(session.account);
      if (!owner) throw unauthenticated('the account of this session is disabled or removed');
      return { subject: owner.name, groups: owner.groups, via: 'session', tokenId: session.sessionId, ...(fromCookie ? { cookie: { csrf: session.csrf } } : {}) };
    }
    const projectToken = await deps.projectTokens.verify(token);
    if (projectToken) {
      const project = deps.config().projects.find((candidate) => candidate.metadata.name === projectToken.project);
      const role = project && projectRolesOf(project).find((candidate) => candidate.name === projectToken.role);
      // Valid while its role exists and it is recorded: issued by this API, or listed in the role's jwtTokens.
      const listed = role?.jwtTokens.some((entry) => (entry.id ? entry.id === projectToken.id : entry.iat === projectToken.iat));
      if (role && (listed || await deps.projectTokens.isIssued(projectToken.project, projectToken.role, projectToken.id))) {
        return { subject: `proj:${projectToken.project}:${projectToken.role}`, groups: [], via: 'project-token', tokenId: projectToken.id };
      }
      throw unauthenticated('the project role token is revoked or its role no longer exists');
    }
    throw unauthenticated('invalid, expired or revoked token');
  };
}
