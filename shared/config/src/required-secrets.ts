import type { TidewaterConfig } from './build-config.ts';
import { findSecretRefs } from './schema/secret-ref.ts';
import { resolveSecret, SecretRefError } from './secrets.ts';

/** Which documents' secret references a service reads, and therefore must be able to resolve at start-up. */
export interface SecretNeeds {
  /** Repository documents' fields, e.g. `webhookSecretRef` (gateway) or `credentialRef` (renderer). */
  repositoryFields?: string[];
  /** Every secret reference of Cluster documents (the syncer). */
  clusters?: boolean;
  /** Every secret reference of other documents of these kinds, e.g. NotificationChannel (the notifier). */
  kinds?: string[];
}

/**
 * The secret references a service needs that it cannot read in this environment, each as one line naming the
 * document, the field and the variable or file (never a value). Empty when every one resolves.
 */
export function unresolvedSecrets(config: TidewaterConfig, needs: SecretNeeds, env: NodeJS.ProcessEnv = process.env): string[] {
  const problems: string[] = [];
  const check = (kind: string, name: string, document: unknown, fields?: string[]) => {
    for (const { path, ref } of findSecretRefs(document)) {
      if (fields && !fields.some((field) => path.includes(field))) continue;
      try {
        resolveSecret(ref, env);
      } catch (error) {
        if (!(error instanceof SecretRefError)) throw error;
        problems.push(`${kind} ${name} ${path.join('.')}: ${error.message}`);
      }
    }
  };
  if (needs.repositoryFields?.length) {
    for (const repository of config.repositories) check('Repository', repository.metadata.name, repository, needs.repositoryFields);
  }
  if (needs.clusters) for (const cluster of config.clusters) check('Cluster', cluster.metadata.name, cluster);
  if (needs.kinds?.length) {
    for (const document of config.otherDocuments) {
      const { kind, metadata } = (document ?? {}) as { kind?: string; metadata?: { name?: string } };
      if (kind && needs.kinds.includes(kind)) check(kind, metadata?.name ?? '(unnamed)', document);
    }
  }
  return problems;
}

/**
 * Start-up check of a service's main.ts: when a credential it needs is missing, print one line per missing
 * reference to stderr and exit 1 at once (not after the first job fails on it).
 */
export function exitOnUnresolvedSecrets(service: string, config: TidewaterConfig, needs: SecretNeeds, env: NodeJS.ProcessEnv = process.env): void {
  const problems = unresolvedSecrets(config, needs, env);
  if (problems.length === 0) return;
  for (const problem of problems) process.stderr.write(`${service}: cannot start: ${problem}\n`);
  process.exit(1);
}
