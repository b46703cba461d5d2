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
