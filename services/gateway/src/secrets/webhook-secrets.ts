import { resolveSecret, webhookSecretRefsOf, type Repository, type TidewaterConfig } from '@tidewater/config';
import type { Logger } from '@tidewater/telemetry';
import type { GitProvider } from '../push/normalised-push.ts';

/** A webhook secret and the Repository it belongs to; no repository means the global fallback secret. */
export interface WebhookSecretCandidate {
  secret: string;
  repository?: Repository;
}

/** Repositories whose webhooks may arrive on `provider`'s route: those naming it, and those naming no provider. */
export function repositoriesForProvider(config: TidewaterConfig, provider: GitProvider): Repository[] {
  return config.repositories.filter((repository) => repository.spec.provider === undefined || repository.spec.provider === provider);
}

/**
 * Every webhook secret that may sign a delivery to `provider`'s route: each Repository's `webhookSecretRef`
 * (several during rotation) and the optional global secret. A reference that cannot be resolved is skipped
 * with a warning naming the repository, never the value.
 */
export function collectWebhookSecrets(deps: {
  config: TidewaterConfig;
  provider: GitProvider;
  globalSecret?: string;
  logger: Pick<Logger, 'warn'>;
}): WebhookSecretCandidate[] {
  const candidates: WebhookSecretCandidate[] = [];
  for (const repository of repositoriesForProvider(deps.config, deps.provider)) {
    for (const ref of webhookSecretRefsOf(repository)) {
      try {
        const secret = resolveSecret(ref);
        if (secret) candidates.push({ secret, repository });
      } catch (error) {
        deps.logger.warn({ repository: repository.metadata.name, reason: (error as Error).message }, 'webhook secret could not be resolved');
      }
    }
  }
  if (deps.globalSecret) candidates.push({ secret: deps.globalSecret });
  return candidates;
}

/** Webhook secret candidates, resolved once per configuration and provider and kept for a few seconds. */
export interface WebhookSecretCache {
  /**
   * The candidates `collectWebhookSecrets` gives for `provider` under `config`, from the cache while they are
   * younger than the cache's TTL; `fresh` resolves them now (a rotated secret file is read at once).
   */
  candidates(config: TidewaterConfig, provider: GitProvider, logger: Pick<Logger, 'warn'>, options?: { fresh?: boolean }): WebhookSecretCandidate[];
}

/**
 * Resolving a secret reads the environment or a file; per request that is most of the cost of finding the
 * candidates. A new configuration (reload) starts a new cache; within one, a reference is re-read after `ttlMs`
 * (default 5 s), so a rotated or revoked secret takes effect within that time even without a reload.
 */
export function createWebhookSecretCache(deps: { globalSecret?: string; ttlMs?: number; now?: () => number } = {}): WebhookSecretCache {
  const ttlMs = deps.ttlMs ?? 5_000;
  const now = deps.now ?? Date.now;
  const byConfig = new WeakMap<TidewaterConfig, Map<GitProvider, { resolvedAt: number; candidates: WebhookSecretCandidate[] }>>();
  return {
    candidates(config, provider, logger, options = {}) {
      let byProvider = byConfig.get(config);
      if (byProvider === undefined) {
        byProvider = new Map();
        byConfig.set(config, byProvider);
      }
      const cached = byProvider.get(provider);
      const at = now();
      if (cached !== undefined && !options.fresh && at - cached.resolvedAt < ttlMs) return cached.candidates;
      const candidates = collectWebhookSecrets({ config, provider, logger, ...(deps.globalSecret ? { globalSecret: deps.globalSecret } : {}) });
      byProvider.set(provider, { resolvedAt: at, candidates });
      return candidates;
    },
  };
}
