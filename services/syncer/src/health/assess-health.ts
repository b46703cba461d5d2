import type { HealthAssessment } from './health-assessment.ts';
import { healthy, progressing, unknown } from './health-assessment.ts';
import { evaluateHealthRules, type HealthRule } from './health-rule.ts';
import { groupOf, stringAt, type LiveObject } from './live-object-fields.ts';
import { daemonSetHealth, deploymentHealth, replicaSetHealth, statefulSetHealth } from './workload-health.ts';
import { podHealth } from './pod-health.ts';
import { cronJobHealth, jobHealth } from './batch-health.ts';
import { ingressHealth, serviceHealth } from './network-health.ts';
import { persistentVolumeClaimHealth, persistentVolumeHealth } from './storage-health.ts';
import { horizontalPodAutoscalerHealth } from './autoscaling-health.ts';
import { apiServiceHealth, customResourceDefinitionHealth, namespaceHealth } from './cluster-resource-health.ts';
import { dataVolumeHealth, virtualMachineHealth, virtualMachineInstanceHealth } from './kubevirt-health.ts';
import { conditionsHealth } from './condition-health.ts';
import { groupKindKey, hasNoHealthNotion } from './health-relevance.ts';

/*
 * How a live object's health is judged (first that applies):
 *
 *  metadata.deletionTimestamp set          Progressing "Pending deletion"
 *  a HealthRule for its group/kind matches  the rule's status and message
 *  apps Deployment                          paused → Suspended; observedGeneration < generation → Progressing;
 *                                           Progressing condition ProgressDeadlineExceeded → Degraded;
 *                                           updated < spec.replicas (default 1), old replicas left, or
 *                                           available < updated → Progressing; else Healthy
 *  apps StatefulSet                         not observed / ready < replicas → Progressing; OnDelete → Healthy;
 *                                           partition P: updated < replicas − P → Progressing; no partition:
 *                                           currentRevision ≠ updateRevision → Progressing; else Healthy
 *  apps DaemonSet                           not observed → Progressing; OnDelete → Healthy; updated or available
 *                                           < desiredNumberScheduled → Progressing; else Healthy
 *  apps ReplicaSet                          not observed → Progressing; ReplicaFailure True → Degraded;
 *                                           available < replicas → Progressing; else Healthy
 *  Pod                                      Always-restart pod with a container waiting on Err…, …Error, …BackOff
 *                                           → Degraded; Pending → Progressing; Succeeded → Healthy; Failed →
 *                                           Degraded; Running: Ready → Healthy, restarted and not ready →
 *                                           Degraded, else Progressing (Never/OnFailure pods → Progressing);
 *                                           other phases → Unknown
 *  batch Job                                Failed/FailureTarget → Degraded; Complete → Healthy; Suspended or
 *                                           spec.suspend → Suspended; else Progressing
 *  batch CronJob                            spec.suspend → Suspended; else Healthy
 *  Service                                  LoadBalancer without status.loadBalancer.ingress → Progressing; else Healthy
 *  networking.k8s.io Ingress                no status.loadBalancer.ingress → Progressing; else Healthy
 *  PersistentVolumeClaim                    Bound → Healthy; Pending → Progressing; Lost → Degraded; else Unknown
 *  PersistentVolume                         Available/Bound/Released → Healthy; Pending → Progressing; Failed → Degraded
 *  autoscaling HorizontalPodAutoscaler      AbleToScale False → Degraded (Backoff* → Progressing); ScalingActive
 *                                           False → Degraded (ScalingDisabled → Suspended); both True → Healthy;
 *                                           else Progressing
 *  Namespace                                Terminating → Progressing; else Healthy
 *  apiextensions CustomResourceDefinition   Established → Healthy; names not accepted, not established,
 *                                           non-structural → Degraded; Terminating / no conditions → Progressing
 *  apiregistration APIService               Available True → Healthy; else Progressing
 *  kubevirt.io VirtualMachine               see kubevirt-health.ts: Running → Healthy; Stopped on purpose →
 *                                           Suspended; Err…/…BackOff/…NotFound statuses → Degraded;
 *                                           Provisioning/Starting/Migrating/WaitingForVolumeBinding → Progressing
 *  kubevirt.io VirtualMachineInstance       Running+Ready → Healthy; Failed → Degraded; Succeeded/Paused → Suspended
 *  cdi.kubevirt.io DataVolume               Succeeded → Healthy; Failed or Running=False/Error → Degraded;
 *                                           WaitForFirstConsumer → Healthy; Paused → Suspended; else Progressing
 *  ConfigMap, Secret, ServiceAccount, RBAC, Endpoints, NetworkPolicy, quotas, PDBs, webhooks, StorageClass, …
 *                                           Healthy: no health notion
 *  any other kind (custom resources)        condition-health.ts: observedGeneration lag → Progressing; Stalled
 *                                           → Degraded; Ready/Available True → Healthy, False → Degraded (or
 *                                           Progressing for a transient reason), Unknown → Progressing; no
 *                                           standard conditions → Healthy (no health notion)
 *
 * A missing object is `missingHealth()` and an unreadable one `unknownHealth(reason)`: never Healthy.
 */

type HealthCheck = (object: LiveObject) => HealthAssessment;

const builtInChecks: ReadonlyMap<string, HealthCheck> = new Map<string, HealthCheck>([
  ['apps/Deployment', deploymentHealth],
  ['extensions/Deployment', deploymentHealth],
  ['apps/StatefulSet', statefulSetHealth],
  ['apps/DaemonSet', daemonSetHealth],
  ['extensions/DaemonSet', daemonSetHealth],
  ['apps/ReplicaSet', replicaSetHealth],
  ['extensions/ReplicaSet', replicaSetHealth],
  ['/Pod', podHealth],
  ['batch/Job', jobHealth],
  ['batch/CronJob', cronJobHealth],
  ['/Service', serviceHealth],
  ['networking.k8s.io/Ingress', ingressHealth],
  ['extensions/Ingress', ingressHealth],
  ['/PersistentVolumeClaim', persistentVolumeClaimHealth],
  ['/PersistentVolume', persistentVolumeHealth],
  ['autoscaling/HorizontalPodAutoscaler', horizontalPodAutoscalerHealth],
  ['/Namespace', namespaceHealth],
  ['apiextensions.k8s.io/CustomResourceDefinition', customResourceDefinitionHealth],
  ['apiregistration.k8s.io/APIService', apiServiceHealth],
  ['kubevirt.io/VirtualMachine', virtualMachineHealth],
  ['kubevirt.io/VirtualMachineInstance', virtualMachineInstanceHealth],
  ['cdi.kubevirt.io/DataVolume', dataVolumeHealth],
]);

/**
 * The health of a live object as returned by the API server. `rules` are parsed HealthRule documents; a
 * matching rule replaces the built-in check for its group/kind. Pure: reads only the object. Typed `object`
 * so client-node's `KubernetesObject` and plain JSON both fit; every field is read defensively.
 */
export function assessHealth(liveObject: object, rules: readonly HealthRule[] = []): HealthAssessment {
  const object = liveObject as LiveObject;
  const apiVersion = object.apiVersion;
  const kind = object.kind;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') {
    return unknown('The object has no apiVersion or kind');
  }
  if (stringAt(object, 'metadata', 'deletionTimestamp') !== undefined) return progressing('Pending deletion');

  const fromRules = evaluateHealthRules(object, rules);
  if (fromRules) return fromRules;

  const group = groupOf(apiVersion);
  if (hasNoHealthNotion(group, kind)) return healthy();
  const check = builtInChecks.get(groupKindKey(group, kind)) ?? conditionsHealth;
  return check(object);
}
