import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

// Shapes as `kubectl get -o yaml` prints them (trimmed to what health reads plus some context).

function deployment(options: { generation?: number; replicas?: number; paused?: boolean; status?: Record<string, unknown> }) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'dev-guestbook',
      namespace: 'guestbook-dev',
      generation: options.generation ?? 2,
      resourceVersion: '48213',
      uid: '6c1d9a5e-1b7e-4c1e-9d1a-3f4b2a1c0d9e',
      labels: { 'app.kubernetes.io/name': 'guestbook' },
    },
    spec: {
      replicas: options.replicas ?? 3,
      ...(options.paused === undefined ? {} : { paused: options.paused }),
      progressDeadlineSeconds: 600,
      revisionHistoryLimit: 10,
      selector: { matchLabels: { app: 'guestbook' } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: { metadata: { labels: { app: 'guestbook' } }, spec: { containers: [{ name: 'guestbook', image: 'ghcr.io/example/guestbook:1.2.0' }] } },
    },
    status: options.status ?? {},
  };
}

const progressingCondition = {
  type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated',
  message: 'ReplicaSet "dev-guestbook-7d9c8b6f5" is progressing.',
  lastTransitionTime: '2025-03-01T10:00:00Z', lastUpdateTime: '2025-03-01T10:00:05Z',
};
const completeCondition = { ...progressingCondition, reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "dev-guestbook-7d9c8b6f5" has successfully progressed.' };
const availableCondition = { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' };

describe('Deployment health', () => {
  it('follows a rollout from Progressing to Healthy as the status catches up', () => {
    const rollout = [
      // Just applied: the controller has not observed generation 2 yet.
      { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [availableCondition, completeCondition] },
      // New ReplicaSet scaled to 1, two old pods remain.
      { observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1, conditions: [availableCondition, progressingCondition] },
      // All updated, one old pod terminating.
      { observedGeneration: 2, replicas: 4, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [availableCondition, progressingCondition] },
      // Old pods gone, one new pod not yet available.
      { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 1, availableReplicas: 1, unavailableReplicas: 2, conditions: [availableCondition, progressingCondition] },
      // Done.
      { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: [availableCondition, completeCondition] },
    ];
    expect(rollout.map((status) => assessHealth(deployment({ status })))).toEqual([
      { status: 'Progressing', message: 'Waiting for the controller to observe generation 2 (observed 1)' },
      { status: 'Progressing', message: '1 of 3 replicas have been updated' },
      { status: 'Progressing', message: '1 old replicas are pending termination' },
      { status: 'Progressing', message: '1 of 3 updated replicas are available' },
      { status: 'Healthy' },
    ]);
  });

  it('is Progressing when the controller has written no status yet', () => {
    expect(assessHealth(deployment({ generation: 1, status: {} })).status).toBe('Progressing');
  });

  it('is Degraded when the progress deadline was exceeded', () => {
    const status = {
      observedGeneration: 2, replicas: 4, updatedReplicas: 1, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 1,
      conditions: [availableCondition, { ...progressingCondition, status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "dev-guestbook-7d9c8b6f5" has timed out progressing.' }],
    };
    expect(assessHealth(deployment({ status }))).toEqual({ status: 'Degraded', message: 'ReplicaSet "dev-guestbook-7d9c8b6f5" has timed out progressing.' });
  });

  it('is Suspended when paused, whatever the status says', () => {
    const status = { observedGeneration: 1, replicas: 4, updatedReplicas: 1, availableReplicas: 3 };
    expect(assessHealth(deployment({ paused: true, status }))).toEqual({ status: 'Suspended', message: 'Deployment is paused' });
  });

  it('defaults spec.replicas to 1 and is Healthy at zero replicas', () => {
    const withoutReplicas = deployment({ status: { observedGeneration: 2 } });
    delete (withoutReplicas.spec as { replicas?: number }).replicas;
    expect(assessHealth(withoutReplicas)).toEqual({ status: 'Progressing', message: '0 of 1 replicas have been updated' });
    expect(assessHealth(deployment({ replicas: 0, status: { observedGeneration: 2 } }))).toEqual({ status: 'Healthy' });
  });
});

function statefulSet(spec: Record<string, unknown>, status: Record<string, unknown>) {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'postgres', namespace: 'db', generation: 3 },
    spec: { replicas: 3, serviceName: 'postgres', podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, ...spec },
    status: { observedGeneration: 3, replicas: 3, availableReplicas: 3, collisionCount: 0, ...status },
  };
}

describe('StatefulSet health', () => {
  it.each([
    ['spec not observed', {}, { observedGeneration: 2, readyReplicas: 3 }, 'Progressing'],
    ['pods not ready', {}, { readyReplicas: 2, updatedReplicas: 3, currentRevision: 'postgres-5d8f', updateRevision: 'postgres-5d8f' }, 'Progressing'],
    ['rolling update under way', {}, { readyReplicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: 'postgres-5d8f', updateRevision: 'postgres-7b9c' }, 'Progressing'],
    ['rolling update complete', {}, { readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: 'postgres-7b9c', updateRevision: 'postgres-7b9c' }, 'Healthy'],
    ['partition 2: 1 of 1 updated', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, { readyReplicas: 3, updatedReplicas: 1, currentRevision: 'postgres-5d8f', updateRevision: 'postgres-7b9c' }, 'Healthy'],
    ['partition 1: 1 of 2 updated', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, { readyReplicas: 3, updatedReplicas: 1, currentRevision: 'postgres-5d8f', updateRevision: 'postgres-7b9c' }, 'Progressing'],
    ['OnDelete with old pods', { updateStrategy: { type: 'OnDelete' } }, { readyReplicas: 3, updatedReplicas: 0, currentRevision: 'postgres-5d8f', updateRevision: 'postgres-7b9c' }, 'Healthy'],
    ['OnDelete with pods not ready', { updateStrategy: { type: 'OnDelete' } }, { readyReplicas: 1 }, 'Progressing'],
  ])('%s → %s', (_name, spec, status, expected) => {
    expect(assessHealth(statefulSet(spec, status)).status).toBe(expected);
  });

  it('explains what it waits for', () => {
    expect(assessHealth(statefulSet({}, { readyReplicas: 1 }))).toEqual({ status: 'Progressing', message: 'Waiting for 2 pods to be ready (1 of 3 ready)' });
  });
});

function daemonSet(strategy: string, status: Record<string, unknown>, generation = 4) {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'node-exporter', namespace: 'monitoring', generation },
    spec: { selector: { matchLabels: { app: 'node-exporter' } }, updateStrategy: strategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } } },
    status: { observedGeneration: 4, currentNumberScheduled: 3, numberMisscheduled: 0, numberReady: 3, ...status },
  };
}

describe('DaemonSet health', () => {
  it.each([
    ['all updated and available', 'RollingUpdate', { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }, 4, 'Healthy'],
    ['spec not observed', 'RollingUpdate', { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3 }, 5, 'Progressing'],
    ['rollout under way', 'RollingUpdate', { desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3 }, 4, 'Progressing'],
    ['updated pod not available yet', 'RollingUpdate', { desiredNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 2, numberUnavailable: 1 }, 4, 'Progressing'],
    ['OnDelete with old pods', 'OnDelete', { desiredNumberScheduled: 3, updatedNumberScheduled: 0, numberAvailable: 3 }, 4, 'Healthy'],
    ['no nodes match', 'RollingUpdate', { desiredNumberScheduled: 0, updatedNumberScheduled: 0, numberAvailable: 0 }, 4, 'Healthy'],
  ])('%s → %s', (_name, strategy, status, generation, expected) => {
    expect(assessHealth(daemonSet(strategy, status, generation)).status).toBe(expected);
  });

  it('names the counts', () => {
    expect(assessHealth(daemonSet('RollingUpdate', { desiredNumberScheduled: 3, updatedNumberScheduled: 1, numberAvailable: 3 }))).toEqual({
      status: 'Progressing', message: '1 of 3 pods have been updated',
    });
  });
});

describe('ReplicaSet health', () => {
  const replicaSet = (status: Record<string, unknown>) => ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'dev-guestbook-7d9c8b6f5', namespace: 'guestbook-dev', generation: 1 },
    spec: { replicas: 2, selector: { matchLabels: { app: 'guestbook' } } },
    status: { observedGeneration: 1, ...status },
  });

  it('is Degraded on ReplicaFailure (quota exceeded)', () => {
    const status = {
      replicas: 0, availableReplicas: 0,
      conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "dev-guestbook-7d9c8b6f5-x2k4p" is forbidden: exceeded quota: compute-resources' }],
    };
    expect(assessHealth(replicaSet(status))).toEqual({ status: 'Degraded', message: 'pods "dev-guestbook-7d9c8b6f5-x2k4p" is forbidden: exceeded quota: compute-resources' });
  });

  it('is Progressing until replicas are available, then Healthy', () => {
    expect(assessHealth(replicaSet({ replicas: 2, readyReplicas: 1, availableReplicas: 1 }))).toEqual({ status: 'Progressing', message: '1 of 2 replicas are available' });
    expect(assessHealth(replicaSet({ replicas: 2, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2 }))).toEqual({ status: 'Healthy' });
  });
});
