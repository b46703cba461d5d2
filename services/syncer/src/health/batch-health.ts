import { degraded, healthy, progressing, suspended, type HealthAssessment } from './health-assessment.ts';
import { booleanAt, conditionsOf, numberAt, stringAt, type LiveObject } from './live-object-fields.ts';

/**
 * Job after gitops-engine (pkg/health/health_job.go): Failed (or FailureTarget, which always ends in Failed)
 * → Degraded, Complete → Healthy, Suspended (condition, or spec.suspend before the controller reacts) →
 * Suspended, otherwise Progressing. Only conditions with status True count.
 */
export function jobHealth(job: LiveObject): HealthAssessment {
  const trueConditions = conditionsOf(job).filter((condition) => condition.status === 'True');
  const failed = trueConditions.find((condition) => condition.type === 'Failed') ?? trueConditions.find((condition) => condition.type === 'FailureTarget');
  if (failed) return degraded(failed.message ?? failed.reason ?? 'Job failed');
  const complete = trueConditions.find((condition) => condition.type === 'Complete');
  if (complete) return healthy(complete.message);
  const suspendedCondition = trueConditions.find((condition) => condition.type === 'Suspended');
  if (suspendedCondition) return suspended(suspendedCondition.message ?? 'Job is suspended');
  if (booleanAt(job, 'spec', 'suspend') === true) return suspended('Job is suspended');
  const active = numberAt(job, 'status', 'active') ?? 0;
  return progressing(active > 0 ? `${active} active pod${active === 1 ? '' : 's'}` : undefined);
}

/**
 * CronJob: spec.suspend → Suspended, otherwise Healthy. Its Jobs report their own failures; judging the CronJob
 * by its last run would keep an application Degraded until the next schedule.
 */
export function cronJobHealth(cronJob: LiveObject): HealthAssessment {
  if (booleanAt(cronJob, 'spec', 'suspend') === true) return suspended('CronJob is suspended');
  const lastSchedule = stringAt(cronJob, 'status', 'lastScheduleTime');
  return healthy(lastSchedule ? `Last scheduled at ${lastSchedule}` : undefined);
}
