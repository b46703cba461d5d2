import { parseSyncOptions, type ArgoApplication } from '@tidewater/config';
import type { Logger } from '@tidewater/telemetry';
import { keepIgnoredFieldsLive } from '../apply/ignore-differences.ts';
import type { PlannedObject } from '../apply/sync-plan.ts';
import type { KubeTransport } from '../clusters/kube-transport.ts';
import { ignoreRulesOf, invalidJqExpressions, type IgnoreRule } from '../diff/ignore-differences.ts';

/** Identity of a set of rules: drift judged under other rules is judged again. */
export function ignoreRulesKey(rules: readonly IgnoreRule[]): string {
  return JSON.stringify(rules);
}

/** Warns once per rule set about jq expressions that do not compile (they ignore nothing). */
export async function warnInvalidIgnoreRules(app: string, rules: readonly IgnoreRule[], logger: Logger): Promise<void> {
  if (!rules.some((rule) => rule.jqPathExpressions.length > 0)) return;
  try {
    for (const problem of await invalidJqExpressions(rules)) {
      logger.warn({ app, field: problem.field, reason: problem.message }, 'ignoreDifferences jq expression is not valid jq and ignores nothing');
    }
  } catch (error) {
    logger.warn({ app, reason: (error as Error).message }, 'cannot check the ignoreDifferences jq expressions');
  }
}

/**
 * What self-heal re-applies: the drifted objects as planned, or, under `RespectIgnoreDifferences=true`, copies whose
 * ignored fields keep their live values (as a sync would apply them).
 */
export async function keepIgnoredWhenHealing<T extends { key: string; planned: PlannedObject }>(
  application: ArgoApplication,
  transport: KubeTransport,
  objects: T[],
  logger: Logger,
): Promise<T[]> {
  const rules = ignoreRulesOf(application);
  if (rules.length === 0 || !parseSyncOptions(application.spec.syncPolicy?.syncOptions).respectIgnoreDifferences) return objects;
  const copies = objects.map((object) => ({ ...object, planned: { ...object.planned, manifest: structuredClone(object.planned.manifest) } }));
  await keepIgnoredFieldsLive({
    transport, objects: copies.map((copy) => copy.planned), rules,
    onFailure: (failure) => logger.debug({ app: application.metadata.name, field: failure.field, reason: failure.message }, 'an ignoreDifferences jq expression did not apply to an object'),
  });
  return copies;
}
