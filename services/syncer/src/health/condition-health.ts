import { degraded, healthy, progressing, type HealthAssessment } from './health-assessment.ts';
import { conditionsOf, generationLag, numberAt, type LiveObject, type StatusCondition } from './live-object-fields.ts';

// Reasons that name a failure win over words that sound transient ("ReconciliationFailed" is a failure).
const failureReason = /fail|error|invalid|denied|forbidden|notfound|conflict|exceeded|timeout|timedout|backoff|crash|unschedulable/i;
const transientReason = /progress|reconcil|pending|waiting|creating|provisioning|initiali[sz]|starting|updating|upgrading|installing|deploying|scaling|notyetready|dependencynotready/i;

/**
 * Any resource that follows the Kubernetes API conventions for status (custom resources, most operators):
 * 1. status.observedGeneration behind metadata.generation → Progressing (the controller has not seen the spec);
 * 2. Stalled True → Degraded (kstatus: the controller gave up);
 * 3. Ready, else Available: True → Healthy (Progressing while Reconciling is True or the condition describes an
 *    older generation); False → Progressing when its reason reads as transient (Progressing, Reconciling,
 *    Pending, …, and no failure word), else Degraded; Unknown → Progressing;
 * 4. Reconciling True → Progressing;
 * 5. no conditions, or none of these types → Healthy: the kind has no health notion we can read, which is how
 *    gitops-engine treats kinds without a check (their health does not count); Unknown would make every
 *    application that uses such a kind Unknown.
 */
export function conditionsHealth(object: LiveObject): HealthAssessment {
  const lag = generationLag(object);
  if (lag) return progressing(`Waiting for the controller to observe generation ${lag.generation} (observed ${lag.observed})`);

  const conditions = conditionsOf(object);
  const byType = (type: string) => conditions.find((condition) => condition.type === type);
  const stalled = byType('Stalled');
  if (stalled?.status === 'True') return degraded(describe(stalled));
  const reconciling = byType('Reconciling');

  const readiness = byType('Ready') ?? byType('Available');
  if (readiness) {
    const generation = numberAt(object, 'metadata', 'generation');
    if (readiness.observedGeneration !== undefined && generation !== undefined && readiness.observedGeneration < generation) {
      return progressing(`Waiting for the controller to observe generation ${generation} (${readiness.type} describes ${readiness.observedGeneration})`);
    }
    if (readiness.status === 'True') {
      if (reconciling?.status === 'True') return progressing(describe(reconciling));
      return healthy(readiness.message);
    }
    if (readiness.status === 'False') return isTransient(readiness) ? progressing(describe(readiness)) : degraded(describe(readiness));
    return progressing(describe(readiness));
  }
  if (reconciling?.status === 'True') return progressing(describe(reconciling));
  return healthy();
}

function isTransient(condition: StatusCondition): boolean {
  const reason = condition.reason ?? '';
  return !failureReason.test(reason) && transientReason.test(reason);
}

function describe(condition: StatusCondition): string {
  const label = `${condition.type} is ${condition.status}`;
  const detail = condition.message ?? condition.reason;
  return detail ? `${label}: ${detail}` : label;
}
