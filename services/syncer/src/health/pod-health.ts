import { degraded, healthy, progressing, unknown, type HealthAssessment } from './health-assessment.ts';
import { arrayAt, findCondition, joinMessages, numberAt, stringAt, valueAt, type LiveObject } from './live-object-fields.ts';

/** Argo CD's annotation: judge a Never/OnFailure pod by readiness like a long-running one (operator-managed pods). */
export const ignoreRestartPolicyAnnotation = 'argocd.argoproj.io/ignore-restart-policy';

/**
 * Pod health after gitops-engine (pkg/health/health_pod.go): a long-running pod (restartPolicy Always) with a
 * container stuck waiting on an error (CrashLoopBackOff, ImagePullBackOff, ErrImagePull,
 * CreateContainerConfigError, …) → Degraded; then by phase: Pending → Progressing, Succeeded → Healthy,
 * Failed → Degraded, Running → Healthy when Ready (Degraded when not ready after a container terminated,
 * else Progressing). Running Never/OnFailure pods have a finite life (hooks, one-shot tasks) → Progressing.
 */
export function podHealth(pod: LiveObject): HealthAssessment {
  const restartPolicy = stringAt(pod, 'spec', 'restartPolicy') ?? 'Always';
  if (restartPolicy === 'Always') {
    const stuck = stuckContainerMessages(pod);
    if (stuck.length > 0) return degraded(stuck.join('; '));
  }

  const phase = stringAt(pod, 'status', 'phase');
  const podMessage = stringAt(pod, 'status', 'message');
  switch (phase) {
    case 'Pending':
      return progressing(podMessage ?? pendingReason(pod));
    case 'Succeeded':
      return healthy(podMessage);
    case 'Failed':
      return degraded(podMessage ?? failedContainerMessage(pod) ?? stringAt(pod, 'status', 'reason') ?? 'Pod failed');
    case 'Running': {
      const judgeByReadiness = restartPolicy === 'Always' || stringAt(pod, 'metadata', 'annotations', ignoreRestartPolicyAnnotation) !== undefined;
      if (!judgeByReadiness) return progressing(podMessage ?? 'Pod is running to completion');
      if (isPodReady(pod)) return healthy(podMessage);
      const restarted = containerStatusesOf(pod).find((status) => valueAt(status, 'lastState', 'terminated') !== undefined);
      if (restarted) {
        const name = stringAt(restarted, 'name') ?? 'container';
        const reason = stringAt(restarted, 'lastState', 'terminated', 'reason');
        return degraded(podMessage ?? `container "${name}" is not ready after terminating${reason ? ` (${reason})` : ''}`);
      }
      return progressing(podMessage ?? notReadyMessage(pod));
    }
    default:
      return unknown(podMessage ?? (phase ? `Pod phase is ${phase}` : 'Pod has no phase yet'));
  }
}

// Waiting reasons that will not resolve by waiting: gitops-engine matches Err* / *Error / *BackOff.
function isStuckWaitingReason(reason: string): boolean {
  return reason.startsWith('Err') || reason.endsWith('Error') || reason.endsWith('BackOff') || reason === 'InvalidImageName';
}

function stuckContainerMessages(pod: LiveObject): string[] {
  const messages: string[] = [];
  for (const status of [...initContainerStatusesOf(pod), ...containerStatusesOf(pod)]) {
    const reason = stringAt(status, 'state', 'waiting', 'reason');
    if (reason === undefined || !isStuckWaitingReason(reason)) continue;
    const name = stringAt(status, 'name') ?? 'container';
    const detail = stringAt(status, 'state', 'waiting', 'message');
    messages.push(`container "${name}": ${reason}${detail ? `: ${detail}` : ''}`);
  }
  return messages;
}

function failedContainerMessage(pod: LiveObject): string | undefined {
  for (const status of [...initContainerStatusesOf(pod), ...containerStatusesOf(pod)]) {
    const terminated = valueAt(status, 'state', 'terminated');
    if (terminated === undefined) continue;
    const message = stringAt(terminated, 'message');
    if (message) return message;
    const reason = stringAt(terminated, 'reason');
    if (reason === 'OOMKilled') return reason;
    const exitCode = numberAt(terminated, 'exitCode');
    if (exitCode !== undefined && exitCode !== 0) return `container "${stringAt(status, 'name') ?? 'container'}" failed with exit code ${exitCode}`;
  }
  return undefined;
}

function isPodReady(pod: LiveObject): boolean {
  const ready = findCondition(pod, 'Ready');
  if (ready) return ready.status === 'True';
  // No conditions published (unusual): fall back to every container reporting ready.
  const statuses = containerStatusesOf(pod);
  return statuses.length > 0 && statuses.every((status) => valueAt(status, 'ready') === true);
}

function notReadyMessage(pod: LiveObject): string {
  const statuses = containerStatusesOf(pod);
  const ready = statuses.filter((status) => valueAt(status, 'ready') === true).length;
  return statuses.length > 0 ? `${ready} of ${statuses.length} containers are ready` : 'Pod is not ready';
}

function pendingReason(pod: LiveObject): string | undefined {
  const scheduled = findCondition(pod, 'PodScheduled');
  if (scheduled?.status === 'False') return joinMessages([scheduled.reason, scheduled.message], ': ');
  return undefined;
}

function containerStatusesOf(pod: LiveObject): unknown[] {
  return arrayAt(pod, 'status', 'containerStatuses');
}

function initContainerStatusesOf(pod: LiveObject): unknown[] {
  return arrayAt(pod, 'status', 'initContainerStatuses');
}
