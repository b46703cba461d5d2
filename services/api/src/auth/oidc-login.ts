import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import * as client from 'openid-client';
import { z } from 'zod';
import { resolveSecret } from '@tidewater/config';
import { ApiError, unauthenticated } from '../errors/api-errors.ts';
import type { OidcSettings } from '../rbac/rbac-config.ts';

const stateKey = (state: string) => `tidewater:api:oidc-state:${state}`;
const PendingLogin = z.object({ verifier: z.string(), nonce: z.string(), returnTo: z.string() });

export interface OidcUser {
  /** `email` when the provider gives one, else `sub`: what policies name (Argo CD's `scopes` decide the groups). */
  subject: string;
  groups: string[];
}

export interface OidcLogin {
  /** The provider's authorization URL for a new login (PKCE, state and nonce kept in Redis for 10 minutes). */
  start(settings: OidcSettings, redirectUri: string, returnTo: string): Promise<URL>;
  /** Completes a login from the callback URL: the user and where to send the browser. */
  finish(settings: OidcSettings, callbackUrl: URL, scopes: readonly string[]): Promise<{ user: OidcUser; returnTo: string }>;
}

/** Only the API's own pages: a return target elsewhere would make the callback an open redirect. */
export function safeReturnTo(value: string | undefined): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\') ? value : '/api/docs';
}

/**
 * OpenID Connect authorization-code login with PKCE through `openid-client`. The provider's discovery document is
 * fetched once per issuer; plain http is accepted only for a loopback issuer (a provider on this machine).
 */
export function createOidcLogin(redis: Redis): OidcLogin {
  const configurations = new Map<string, Promise<client.Configuration>>();

  function configuration(settings: OidcSettings): Promise<client.Configuration> {
    const cacheKey = `${settings.issuer}\u0000${settings.clientID}`;
    let found = configurations.get(cacheKey);
    if (!found) {
      const issuer = new URL(settings.issuer);
      const loopback = issuer.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      const secret = settings.clientSecretRef ? resolveSecret(settings.clientSecretRef) : undefined;
      found = client.discovery(issuer, settings.clientID, secret, undefined, loopback ? { execute: [client.allowInsecureRequests] } : undefined);
      found.catch(() => configurations.delete(cacheKey));
      configurations.set(cacheKey, found);
    }
    return found.catch((error: Error) => {
      throw new ApiError(503, 'Unavailable', `the OIDC provider ${settings.issuer} cannot be reached: ${error.message}`);
    });
  }

  return {
    async start(settings, redirectUri, returnTo) {
      const config = await configuration(settings);
      const verifier = client.randomPKCECodeVerifier();
      const nonce = client.randomNonce();
      const state = randomBytes(24).toString('base64url');
      await redis.set(stateKey(state), JSON.stringify({ verifier, nonce, returnTo }), 'EX', 600);
      return client.buildAuthorizationUrl(config, {
        redirect_uri: redirectUri, scope: settings.requestedScopes.join(' '), state, nonce,
        code_challenge: await client.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256',
      });
    },
    async finish(settings, callbackUrl, scopes) {
      const state = callbackUrl.searchParams.get('state') ?? '';
      // GETDEL: a state is used once, so a replayed callback URL fails.
      const raw = state ? await redis.getdel(stateKey(state)) : null;
      const pending = raw ? PendingLogin.safeParse(JSON.parse(raw)) : undefined;
      if (!pending?.success) throw unauthenticated('unknown or expired login state; start the login again');
      const config = await configuration(settings);
      const tokens = await client.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: pending.data.verifier, expectedState: state, expectedNonce: pending.data.nonce, idTokenExpected: true,
      }).catch((error: Error) => { throw unauthenticated(`the OIDC login failed: ${error.message}`); });
      const claims = tokens.claims();
      if (!claims) throw unauthenticated('the OIDC provider returned no ID token');
      const groups = scopes.flatMap((scope) => {
        const value = (claims as Record<string, unknown>)[scope];
        return Array.isArray(value) ? value.filter((group): group is string => typeof group === 'string') : typeof value === 'string' ? [value] : [];
      });
      const subject = typeof claims.email === 'string' ? claims.email : claims.sub;
      return { user: { subject, groups }, returnTo: pending.data.returnTo };
    },
  };
}
