import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { apiKeys } from './api-keys.ts';

const issuer = 'tidewater';

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A browser or CLI session from a password login: a JWT naming a session record, which logout deletes. */
export interface SessionStore {
  /** `sso` sessions name a user of the OIDC provider (not a local account) and carry its groups. */
  create(account: string, ttlSeconds: number, sso?: { groups: string[] }): Promise<{ token: string; csrf: string; expiresAt: string }>;
  verify(token: string): Promise<{ account: string; sessionId: string; csrf: string; sso?: { groups: string[] } } | undefined>;
  revoke(sessionId: string): Promise<void>;
}

/** Project role tokens as Argo CD issues them: JWT `sub: proj:<project>:<role>`, `jti` id, `iat`, optional `exp`. */
export interface ProjectTokenStore {
  create(project: string, role: string, options: { id?: string; expiresInSeconds?: number; issuedBy: string }): Promise<{ token: string; record: ProjectTokenRecord }>;
  list(project: string, role: string): Promise<ProjectTokenRecord[]>;
  /** Revokes by `iat` (Argo CD's `delete-token P R <iat>`); false when none matched. */
  revoke(project: string, role: string, iat: number): Promise<boolean>;
  /** The claims of a well-signed, unexpired project token (its record is checked by the caller against config and store). */
  verify(token: string): Promise<{ project: string; role: string; id: string; iat: number } | undefined>;
  isIssued(project: string, role: string, id: string): Promise<boolean>;
}

export const ProjectTokenRecord = z.object({ id: z.string(), iat: z.number(), exp: z.number().optional(), issuedBy: z.string().optional() });
export type ProjectTokenRecord = z.infer<typeof ProjectTokenRecord>;

const SessionRecord = z.object({ account: z.string(), csrf: z.string(), sso: z.object({ groups: z.array(z.string()) }).optional() });

export function createSessionStore(redis: Redis, key: Uint8Array): SessionStore {
  return {
    async create(account, ttlSeconds, sso) {
      const sessionId = randomUUID();
      const csrf = randomBytes(24).toString('base64url');
      await redis.set(apiKeys.session(sessionId), JSON.stringify({ account, csrf, ...(sso ? { sso } : {}) }), 'EX', ttlSeconds);
      const token = await new SignJWT({ typ: 'session' }).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer)
        .setSubject(account).setJti(sessionId).setIssuedAt().setExpirationTime(`${ttlSeconds}s`).sign(key);
      return { token, csrf, expiresAt: new Date(Date.now() + ttlSeconds * 1000).toISOString() };
    },
    async verify(token) {
      const claims = await jwtVerify(token, key, { issuer, algorithms: ['HS256'] }).then((result) => result.payload, () => undefined);
      if (!claims || claims.typ !== 'session' || !claims.jti || !claims.sub) return undefined;
      const raw = await redis.get(apiKeys.session(claims.jti));
      const record = raw ? SessionRecord.safeParse(safeJson(raw)) : undefined;
      if (!record?.success || record.data.account !== claims.sub) return undefined;
      return { account: record.data.account, sessionId: claims.jti, csrf: record.data.csrf, ...(record.data.sso ? { sso: record.data.sso } : {}) };
    },
    async revoke(sessionId) {
      await redis.del(apiKeys.session(sessionId));
    },
  };
}

export function createProjectTokenStore(redis: Redis, key: Uint8Array): ProjectTokenStore {
  async function list(project: string, role: string): Promise<ProjectTokenRecord[]> {
    const raw = await redis.hvals(apiKeys.projectTokens(project, role));
    return raw.flatMap((text) => {
      const parsed = ProjectTokenRecord.safeParse(safeJson(text));
      return parsed.success ? [parsed.data] : [];
    }).sort((a, b) => a.iat - b.iat);
  }
  return {
    async create(project, role, options) {
      const id = options.id ?? randomUUID();
      const iat = Math.floor(Date.now() / 1000);
      const exp = options.expiresInSeconds ? iat + options.expiresInSeconds : undefined;
      let jwt = new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(issuer).setSubject(`proj:${project}:${role}`).setJti(id).setIssuedAt(iat);
      if (exp) jwt = jwt.setExpirationTime(exp);
      const token = await jwt.sign(key);
      const record: ProjectTokenRecord = { id, iat, ...(exp ? { exp } : {}), issuedBy: options.issuedBy };
      await redis.hset(apiKeys.projectTokens(project, role), id, JSON.stringify(record));
      return { token, record };
    },
    list,
    async revoke(project, role, iat) {
      const matching = (await list(project, role)).filter((record) => record.iat === iat);
      if (matching.length === 0) return false;
      await redis.hdel(apiKeys.projectTokens(project, role), ...matching.map((record) => record.id));
      return true;
    },
    async verify(token) {
      const claims = await jwtVerify(token, key, { issuer, algorithms: ['HS256'] }).then((result) => result.payload, () => undefined);
      const match = claims?.sub ? /^proj:([^:]+):([^:]+)$/.exec(claims.sub) : null;
      if (!claims || !match || !claims.jti || typeof claims.iat !== 'number') return undefined;
      return { project: match[1], role: match[2], id: claims.jti, iat: claims.iat };
    },
    async isIssued(project, role, id) {
      return (await redis.hexists(apiKeys.projectTokens(project, role), id)) === 1;
    },
  };
}
