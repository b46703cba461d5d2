import { degraded, healthy, progressing, type HealthAssessment } from './health-assessment.ts';
import { conditionsOf, findCondition, stringAt, type LiveObject } from './live-object-fields.ts';

/** Namespace: Active → Healthy, Terminating → Progressing. */
export function namespaceHealth(namespace: LiveObject): HealthAssessment {
  const phase = stringAt(namespace, 'status', 'phase');
  if (phase === 'Terminating') return progressing('Namespace is terminating');
  return healthy();
}

/**
 * CustomResourceDefinition after gitops-engine health_customresourcedefinition.go: Terminating → Progressing,
 * names not accepted / not Established / NonStructuralSchema → Degraded, Established → Healthy; no
 * conditions yet → Progressing.
 */
export function customResourceDefinitionHealth(definition: LiveObject): HealthAssessment {
  const conditions = conditionsOf(definition);
  if (conditions.length === 0) return progressing('Waiting for the API server to establish the definition');
  const byType = (type: string) => conditions.find((condition) => condition.type === type);

  const terminating = byType('Terminating');
  if (terminating?.status === 'True') return progressing(`CRD is being terminated${suffix(terminating.message)}`);
  const namesAccepted = byType('NamesAccepted');
  if (namesAccepted?.status === 'False') return degraded(`CRD names have not been accepted${suffix(namesAccepted.message)}`);
  const established = byType('Established');
  if (established?.status !== 'True') return degraded(`CRD is not established${suffix(established?.message)}`);
  const nonStructural = byType('NonStructuralSchema');
  if (nonStructural?.status === 'True') return degraded(`CRD schema is not structural${suffix(nonStructural.message)}`);
  return healthy();
}

/** APIService: Available True → Healthy, otherwise Progressing with the condition's message (gitops-engine). */
export function apiServiceHealth(apiService: LiveObject): HealthAssessment {
  const available = findCondition(apiService, 'Available');
  if (available?.status === 'True') return healthy(available.message);
  return progressing(available?.message ?? available?.reason ?? 'Waiting for the API service to become available');
}

function suffix(message: string | undefined): string {
  return message ? `: ${message}` : '';
}
