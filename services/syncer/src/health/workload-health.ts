import { degraded, healthy, progressing, suspended, type HealthAssessment } from './health-assessment.ts';
import { booleanAt, findCondition, generationLag, numberAt, stringAt, type LiveObject } from './live-object-fields.ts';

// Rollout checks for the apps/v1 workloads, after kubectl's `rollout status` as gitops-engine does
// (pkg/health/health_deployment.go, health_statefulset.go, health_daemonset.go, health_replicaset.go).
// Built-in controllers always publish status.observedGeneration, so a missing one counts as 0: not yet observed.

/** Deployment: paused → Suspended; spec not yet observed / replicas not updated or available → Progressing. */
export function deploymentHealth(deployment: LiveObject): HealthAssessment {
  if (booleanAt(deployment, 'spec', 'paused') === true) return suspended('Deployment is paused');
  const lag = generationLag(deployment, observedGenerationOf(deployment));
  if (lag) return progressing(`Waiting for the controller to observe generation ${lag.generation} (observed ${lag.observed})`);

  const progressCondition = findCondition(deployment, 'Progressing');
  if (progressCondition?.reason === 'ProgressDeadlineExceeded') {
    return degraded(progressCondition.message ?? 'Deployment exceeded its progress deadline');
  }
  const desired = numberAt(deployment, 'spec', 'replicas') ?? 1;
  const replicas = numberAt(deployment, 'status', 'replicas') ?? 0;
  const updated = numberAt(deployment, 'status', 'updatedReplicas') ?? 0;
  const available = numberAt(deployment, 'status', 'availableReplicas') ?? 0;
  if (updated < desired) return progressing(`${updated} of ${desired} replicas have been updated`);
  if (replicas > updated) return progressing(`${replicas - updated} old replicas are pending termination`);
  if (available < updated) return progressing(`${available} of ${updated} updated replicas are available`);
  return healthy();
}

/**
 * StatefulSet: every replica ready, then per update strategy: OnDelete needs nothing more; RollingUpdate with a
 * partition needs `replicas - partition` updated pods; without a partition the current revision must have
 * caught up with the update revision.
 */
export function statefulSetHealth(statefulSet: LiveObject): HealthAssessment {
  const observed = observedGenerationOf(statefulSet);
  const lag = generationLag(statefulSet, observed);
  if (observed === 0 || lag) return progressing('Waiting for the controller to observe the StatefulSet spec');

  const desired = numberAt(statefulSet, 'spec', 'replicas') ?? 1;
  const ready = numberAt(statefulSet, 'status', 'readyReplicas') ?? 0;
  if (ready < desired) return progressing(`Waiting for ${desired - ready} pods to be ready (${ready} of ${desired} ready)`);

  const strategy = stringAt(statefulSet, 'spec', 'updateStrategy', 'type') ?? 'RollingUpdate';
  if (strategy === 'OnDelete') return healthy(`StatefulSet has ${ready} ready pods`);

  const updated = numberAt(statefulSet, 'status', 'updatedReplicas') ?? 0;
  const partition = numberAt(statefulSet, 'spec', 'updateStrategy', 'rollingUpdate', 'partition') ?? 0;
  if (partition > 0) {
    const expected = Math.max(desired - partition, 0);
    if (updated < expected) return progressing(`Partitioned rollout: ${updated} of ${expected} new pods have been updated`);
    return healthy(`Partitioned rollout complete: ${updated} new pods have been updated`);
  }
  const updateRevision = stringAt(statefulSet, 'status', 'updateRevision');
  const currentRevision = stringAt(statefulSet, 'status', 'currentRevision');
  if (updateRevision && currentRevision && updateRevision !== currentRevision) {
    return progressing(`Rolling update in progress: ${updated} of ${desired} pods at revision ${updateRevision}`);
  }
  return healthy();
}

/** DaemonSet: every scheduled node runs an updated, available pod (OnDelete: updates wait for deletions, so healthy). */
export function daemonSetHealth(daemonSet: LiveObject): HealthAssessment {
  const lag = generationLag(daemonSet, observedGenerationOf(daemonSet));
  if (lag) return progressing(`Waiting for the controller to observe generation ${lag.generation} (observed ${lag.observed})`);

  const desired = numberAt(daemonSet, 'status', 'desiredNumberScheduled') ?? 0;
  const updated = numberAt(daemonSet, 'status', 'updatedNumberScheduled') ?? 0;
  const available = numberAt(daemonSet, 'status', 'numberAvailable') ?? 0;
  if (stringAt(daemonSet, 'spec', 'updateStrategy', 'type') === 'OnDelete') {
    return healthy(`${updated} of ${desired} pods have been updated (OnDelete strategy)`);
  }
  if (updated < desired) return progressing(`${updated} of ${desired} pods have been updated`);
  if (available < desired) return progressing(`${available} of ${desired} updated pods are available`);
  return healthy();
}

/** ReplicaSet: a ReplicaFailure condition (quota, admission) → Degraded; too few available replicas → Progressing. */
export function replicaSetHealth(replicaSet: LiveObject): HealthAssessment {
  const lag = generationLag(replicaSet, observedGenerationOf(replicaSet));
  if (lag) return progressing(`Waiting for the controller to observe generation ${lag.generation} (observed ${lag.observed})`);

  const failure = findCondition(replicaSet, 'ReplicaFailure');
  if (failure?.status === 'True') return degraded(failure.message ?? failure.reason ?? 'ReplicaSet failed to create pods');
  const desired = numberAt(replicaSet, 'spec', 'replicas') ?? 1;
  const available = numberAt(replicaSet, 'status', 'availableReplicas') ?? 0;
  if (available < desired) return progressing(`${available} of ${desired} replicas are available`);
  return healthy();
}

function observedGenerationOf(object: LiveObject): number {
  return numberAt(object, 'status', 'observedGeneration') ?? 0;
}
