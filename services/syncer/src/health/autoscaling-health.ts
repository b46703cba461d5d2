import { degraded, healthy, progressing, suspended, type HealthAssessment } from './health-assessment.ts';
import { conditionsOf, isRecord, stringAt, type LiveObject, type StatusCondition } from './live-object-fields.ts';

// autoscaling/v1 carries the v2 conditions as JSON in this annotation.
const v1ConditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';

/**
 * HorizontalPodAutoscaler from its conditions (gitops-engine health_hpa.go, refined):
 * - AbleToScale False → Degraded (FailedGetScale, FailedUpdateScale), except Backoff* reasons (a cooldown
 *   window, reported by older controllers) → Progressing;
 * - ScalingActive False → Degraded (FailedGet…Metric, InvalidSelector, InvalidMetricSourceType, …), except
 *   ScalingDisabled (the target is scaled to zero on purpose) → Suspended;
 * - AbleToScale and ScalingActive True → Healthy (ScalingLimited only explains the replica count);
 * - no conditions yet → Progressing "Waiting to autoscale".
 */
export function horizontalPodAutoscalerHealth(autoscaler: LiveObject): HealthAssessment {
  const conditions = hpaConditions(autoscaler);
  if (conditions.length === 0) return progressing('Waiting to autoscale');

  const ableToScale = conditions.find((condition) => condition.type === 'AbleToScale');
  const scalingActive = conditions.find((condition) => condition.type === 'ScalingActive');
  if (ableToScale?.status === 'False') {
    if (ableToScale.reason?.startsWith('Backoff')) return progressing(conditionText(ableToScale));
    return degraded(conditionText(ableToScale));
  }
  if (scalingActive?.status === 'False') {
    if (scalingActive.reason === 'ScalingDisabled') return suspended(conditionText(scalingActive));
    return degraded(conditionText(scalingActive));
  }
  if (ableToScale?.status === 'True' && scalingActive?.status === 'True') {
    const limited = conditions.find((condition) => condition.type === 'ScalingLimited' && condition.status === 'True');
    return healthy(limited ? conditionText(limited) : scalingActive.message);
  }
  return progressing('Waiting to autoscale');
}

function hpaConditions(autoscaler: LiveObject): StatusCondition[] {
  const fromStatus = conditionsOf(autoscaler);
  if (fromStatus.length > 0) return fromStatus;
  const annotation = stringAt(autoscaler, 'metadata', 'annotations', v1ConditionsAnnotation);
  if (annotation === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(annotation);
    return conditionsOf({ status: { conditions: Array.isArray(parsed) ? parsed.filter(isRecord) : [] } });
  } catch {
    return [];
  }
}

function conditionText(condition: StatusCondition): string {
  return condition.message ?? condition.reason ?? `${condition.type} is ${condition.status}`;
}
