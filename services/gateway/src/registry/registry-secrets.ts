/** The variables holding the registry webhook secret: the current one and, during rotation, the previous one. */
export const registryWebhookSecretEnv = ['TIDEWATER_SECRET_REGISTRY_WEBHOOK', 'TIDEWATER_SECRET_REGISTRY_WEBHOOK_PREVIOUS'] as const;

/** The registry webhook secrets set in `env` (read once at start-up; never logged). */
export function registryWebhookSecretsFromEnv(env: NodeJS.ProcessEnv): string[] {
  return registryWebhookSecretEnv.flatMap((name) => {
    const value = env[name]?.trim();
    return value ? [value] : [];
  });
}
