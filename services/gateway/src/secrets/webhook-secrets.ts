import { resolveSecret, webhookSecretRefsOf, type Repository, type TidewaterConfig } from '@tidewater/config';
import type { Logger } from '@tidewater/telemetry';
import { gitProviders, type GitProvider } from '../push/normalised-push.ts';

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
 * A Repository's `webhookSecretRef` values (several during rotation). A reference that cannot be resolved is
 * skipped with a warning naming the repository and the reference, never the value.
 */
export function resolveRepositoryWebhookSecrets(repository: Repository, logger: Pick<Logger, 'warn'>): WebhookSecretCandidate[] {
  const candidates: WebhookSecretCandidate[] = [];
  for (const ref of webhookSecretRefsOf(repository)) {
    try {
      const secret = resolveSecret(ref);
      if (secret) candidates.push({ secret, repository });
    } catch (error) {
      logger.warn({ repository: repository.metadata.name, reason: (error as Error).message }, 'webhook secret could not be resolved');
    }
  }
  return candidates;
}

/**
 * Every webhook secret that may sign a delivery to `provider`'s route: each Repository's `webhookSecretRef`
 * and the optional global secret.
 */
export function collectWebhookSecrets(deps: {
  config: TidewaterConfig;
  provider: GitProvider;
  globalSecret?: string;
  logger: Pick<Logger, 'warn'>;
}): WebhookSecretCandidate[] {
  return [
    ...repositoriesForProvider(deps.config, deps.provider).flatMap((repository) => resolveRepositoryWebhookSecrets(repository, deps.logger)),
    ...(deps.globalSecret ? [{ secret: deps.globalSecret }] : []),
  ];
}

/** Webhook secret candidates, resolved once per loaded configuration. */
export interface WebhookSecretCache {
  /** The candidates for `provider` under `config`, resolved (for every provider) the first time `config` is seen. */
  candidates(config: TidewaterConfig, provider: GitProvider, logger: Pick<Logger, 'warn'>): WebhookSecretCandidate[];
}

/**
 * Secrets are read (environment or file) once per configuration object and never because of a request: a
 * flood of forged webhooks costs at most one HMAC per candidate secret each, and no reads. A rotated secret
 * takes effect with the next configuration load (SIGHUP to the gateway, or a reload in `tide all`); until then
 * a delivery signed only with the new secret is refused (401) and the provider's redelivery succeeds later.
 */
export function createWebhookSecretCache(deps: { globalSecret?: string } = {}): WebhookSecretCache {
  const byConfig = new WeakMap<TidewaterConfig, ReadonlyMap<GitProvider, WebhookSecretCandidate[]>>();
  return {
    candidates(config, provider, logger) {
      let byProvider = byConfig.get(config);
      if (byProvider === undefined) {
        byProvider = resolveAllProviders(config, logger, deps.globalSecret);
        byConfig.set(config, byProvider);
      }
      return byProvider.get(provider) ?? [];
    },
  };
}

function resolveAllProviders(config: TidewaterConfig, logger: Pick<Logger, 'warn'>, globalSecret: string | undefined): ReadonlyMap<GitProvider, WebhookSecretCandidate[]> {
  // Each Repository's references are read once, even when it serves every provider (it names none).
  const byRepository = new Map(config.repositories.map((repository) => [repository, resolveRepositoryWebhookSecrets(repository, logger)]));
  const global = globalSecret ? [{ secret: globalSecret }] : [];
  return new Map(gitProviders.map((provider) => [provider, [
    ...repositoriesForProvider(config, provider).flatMap((repository) => byRepository.get(repository) ?? []),
    ...global,
  ]]));
}
