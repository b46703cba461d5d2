import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

function pod(options: { restartPolicy?: string; annotations?: Record<string, string>; status: Record<string, unknown> }) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-6f7b9c5d4-k2x8q', namespace: 'web', ...(options.annotations ? { annotations: options.annotations } : {}) },
    spec: {
      restartPolicy: options.restartPolicy ?? 'Always',
      containers: [{ name: 'web', image: 'ghcr.io/example/web:2.0.1' }],
      nodeName: 'kwok-node-0',
    },
    status: { hostIP: '10.0.0.4', podIP: '10.244.0.12', qosClass: 'BestEffort', startTime: '2025-03-01T10:00:00Z', ...options.status },
  };
}

const readyConditions = [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: 'True' },
  { type: 'ContainersReady', status: 'True' },
  { type: 'PodScheduled', status: 'True' },
];
const notReadyConditions = [
  { type: 'Initialized', status: 'True' },
  { type: 'Ready', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' },
  { type: 'ContainersReady', status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' },
  { type: 'PodScheduled', status: 'True' },
];

function waiting(reason: string, message: string) {
  return [{ name: 'web', image: 'ghcr.io/example/web:2.0.1', imageID: '', ready: false, restartCount: 4, started: false, state: { waiting: { reason, message } } }];
}

describe('Pod health', () => {
  it('is Healthy when running and ready', () => {
    const status = {
      phase: 'Running', conditions: readyConditions,
      containerStatuses: [{ name: 'web', ready: true, restartCount: 0, started: true, state: { running: { startedAt: '2025-03-01T10:00:03Z' } } }],
    };
    expect(assessHealth(pod({ status }))).toEqual({ status: 'Healthy' });
  });

  it.each([
    ['CrashLoopBackOff', 'back-off 5m0s restarting failed container=web pod=web-6f7b9c5d4-k2x8q_web(3f1c)'],
    ['ImagePullBackOff', 'Back-off pulling image "ghcr.io/example/web:2.0.1"'],
    ['ErrImagePull', 'rpc error: code = NotFound desc = failed to pull and unpack image'],
    ['CreateContainerConfigError', 'secret "web-credentials" not found'],
    ['InvalidImageName', 'Failed to apply default image tag "ghcr.io/Example/web": invalid reference format'],
  ])('is Degraded when a container waits on %s, with the message', (reason, message) => {
    const status = { phase: reason === 'CrashLoopBackOff' ? 'Running' : 'Pending', conditions: notReadyConditions, containerStatuses: waiting(reason, message) };
    expect(assessHealth(pod({ status }))).toEqual({ status: 'Degraded', message: `container "web": ${reason}: ${message}` });
  });

  it('is Degraded when an init container crash-loops', () => {
    const status = {
      phase: 'Pending', conditions: notReadyConditions,
      initContainerStatuses: [{ name: 'migrate', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 40s' } } }],
      containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'PodInitializing' } } }],
    };
    expect(assessHealth(pod({ status }))).toEqual({ status: 'Degraded', message: 'container "migrate": CrashLoopBackOff: back-off 40s' });
  });

  it('is Progressing while Pending (ContainerCreating, unschedulable)', () => {
    const creating = { phase: 'Pending', conditions: notReadyConditions, containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }] };
    expect(assessHealth(pod({ status: creating })).status).toBe('Progressing');
    const unschedulable = {
      phase: 'Pending',
      conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient cpu.' }],
    };
    expect(assessHealth(pod({ status: unschedulable }))).toEqual({ status: 'Progressing', message: 'Unschedulable: 0/3 nodes are available: 3 Insufficient cpu.' });
  });

  it('is Healthy when Succeeded and Degraded when Failed', () => {
    expect(assessHealth(pod({ restartPolicy: 'Never', status: { phase: 'Succeeded' } })).status).toBe('Healthy');
    const oomKilled = {
      phase: 'Failed',
      containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { terminated: { exitCode: 137, reason: 'OOMKilled' } } }],
    };
    expect(assessHealth(pod({ restartPolicy: 'Never', status: oomKilled }))).toEqual({ status: 'Degraded', message: 'OOMKilled' });
    const exitCode = { phase: 'Failed', containerStatuses: [{ name: 'web', ready: false, state: { terminated: { exitCode: 2, reason: 'Error' } } }] };
    expect(assessHealth(pod({ restartPolicy: 'Never', status: exitCode }))).toEqual({ status: 'Degraded', message: 'container "web" failed with exit code 2' });
    const evicted = { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' };
    expect(assessHealth(pod({ status: evicted }))).toEqual({ status: 'Degraded', message: 'The node was low on resource: memory.' });
  });

  it('is Degraded when running but not ready after a container terminated, Progressing before', () => {
    const restarted = {
      phase: 'Running', conditions: notReadyConditions,
      containerStatuses: [{ name: 'web', ready: false, restartCount: 2, state: { running: {} }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } }],
    };
    expect(assessHealth(pod({ status: restarted }))).toEqual({ status: 'Degraded', message: 'container "web" is not ready after terminating (Error)' });
    const starting = { phase: 'Running', conditions: notReadyConditions, containerStatuses: [{ name: 'web', ready: false, restartCount: 0, state: { running: {} } }] };
    expect(assessHealth(pod({ status: starting }))).toEqual({ status: 'Progressing', message: '0 of 1 containers are ready' });
  });

  it('treats running Never/OnFailure pods as finite (Progressing) unless Argo CD’s ignore annotation is set', () => {
    const running = { phase: 'Running', conditions: readyConditions, containerStatuses: [{ name: 'web', ready: true, state: { running: {} } }] };
    expect(assessHealth(pod({ restartPolicy: 'OnFailure', status: running })).status).toBe('Progressing');
    expect(assessHealth(pod({ restartPolicy: 'Never', annotations: { 'argocd.argoproj.io/ignore-restart-policy': 'true' }, status: running })).status).toBe('Healthy');
    // Stuck waiting reasons only degrade long-running pods (a hook pod may still recover).
    expect(assessHealth(pod({ restartPolicy: 'Never', status: { phase: 'Pending', containerStatuses: waiting('ImagePullBackOff', 'Back-off') } })).status).toBe('Progressing');
  });

  it('is Unknown for the Unknown phase or no phase', () => {
    expect(assessHealth(pod({ status: { phase: 'Unknown' } })).status).toBe('Unknown');
    expect(assessHealth(pod({ status: {} })).status).toBe('Unknown');
  });
});
