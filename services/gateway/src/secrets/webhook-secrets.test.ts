import { describe, it, expect } from 'vitest';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import type { Logger } from '@tidewater/telemetry';
import { createWebhookSecretCache } from './webhook-secrets.ts';

const envName = 'TIDEWATER_SECRET_GW_CACHE_TEST';

function configWithSecretFromEnv(): TidewaterConfig {
  const result = buildConfig([{
    file: 'repos.yaml',
    text: `apiVersion: tidewater.dev/v1alpha1
kind: Repository
metadata: {name: platform}
spec: {url: 'https://github.com/acme/platform.git', provider: github, webhookSecretRef: {env: ${envName}}}
`,
  }]);
  if (result.errors.length > 0) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.config;
}

describe('createWebhookSecretCache', () => {
  const warnings: string[] = [];
  const logger = { warn: (_fields: object, message: string) => { warnings.push(message); } } as unknown as Pick<Logger, 'warn'>;
  const secretsOf = (candidates: Array<{ secret: string }>) => candidates.map((candidate) => candidate.secret);

  it('resolves a configuration\'s secrets once, however often it is asked, and anew for a new configuration', () => {
    const cache = createWebhookSecretCache({ globalSecret: 'global' });
    const config = configWithSecretFromEnv();
    process.env[envName] = 'first';
    expect(secretsOf(cache.candidates(config, 'github', logger))).toEqual(['first', 'global']);

    process.env[envName] = 'second';
    for (let i = 0; i < 3; i++) expect(secretsOf(cache.candidates(config, 'github', logger))).toEqual(['first', 'global']);
    expect(secretsOf(cache.candidates(config, 'gitlab', logger))).toEqual(['global']);

    expect(secretsOf(cache.candidates(configWithSecretFromEnv(), 'github', logger))).toEqual(['second', 'global']);
    delete process.env[envName];
  });

  it('skips a reference that cannot be resolved with one warning per configuration, and finds it in the next one', () => {
    const cache = createWebhookSecretCache();
    const config = configWithSecretFromEnv();
    delete process.env[envName];
    warnings.length = 0;
    expect(cache.candidates(config, 'github', logger)).toEqual([]);
    expect(cache.candidates(config, 'github', logger)).toEqual([]);
    expect(warnings).toEqual(['webhook secret could not be resolved']);
    process.env[envName] = 'now-set';
    expect(secretsOf(cache.candidates(configWithSecretFromEnv(), 'github', logger))).toEqual(['now-set']);
    delete process.env[envName];
  });
});
