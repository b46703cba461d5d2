import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

// The VM and DataVolumes users deploy through GitOps (shared/seeds/000: web-server-vm with web-server-root and
// web-server-data), with statuses as KubeVirt and CDI publish them.

function virtualMachine(spec: Record<string, unknown>, status: Record<string, unknown> | undefined, generation = 2) {
  return {
    apiVersion: 'kubevirt.io/v1',
    kind: 'VirtualMachine',
    metadata: {
      name: 'web-server-vm', namespace: 'app-web-prod', generation,
      annotations: { 'kubevirt.io/latest-observed-api-version': 'v1', 'kubevirt.io/storage-observed-api-version': 'v1' },
      labels: { app: 'web-server', 'managed-by': 'argocd' },
    },
    spec: {
      ...spec,
      template: {
        metadata: { labels: { app: 'web-server', version: 'v1.2.0' } },
        spec: {
          domain: { cpu: { cores: 2 }, memory: { guest: '4Gi' }, devices: { disks: [{ name: 'rootdisk', disk: { bus: 'virtio' } }, { name: 'datadisk', disk: { bus: 'virtio' } }], interfaces: [{ name: 'default', masquerade: {} }] } },
          networks: [{ name: 'default', pod: {} }],
          volumes: [{ name: 'rootdisk', dataVolume: { name: 'web-server-root' } }, { name: 'datadisk', dataVolume: { name: 'web-server-data' } }],
        },
      },
    },
    ...(status ? { status } : {}),
  };
}

const readyTrue = { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: '2025-03-01T10:02:00Z' };
const vmiNotExists = { type: 'Ready', status: 'False', reason: 'VMINotExists', message: 'VMI does not exist', lastProbeTime: '2025-03-01T10:00:00Z' };

describe('VirtualMachine health', () => {
  it.each([
    ['Running and Ready', { running: true }, { printableStatus: 'Running', ready: true, created: true, observedGeneration: 2, desiredGeneration: 2, conditions: [readyTrue] }, 'Healthy', 'Running'],
    ['Running, guest not ready yet', { running: true }, { printableStatus: 'Running', created: true, conditions: [{ type: 'Ready', status: 'False', reason: 'GuestNotReady', message: 'guest agent not connected' }] }, 'Progressing', 'Running, not ready: guest agent not connected'],
    ['Stopped with running: false', { running: false }, { printableStatus: 'Stopped', conditions: [vmiNotExists] }, 'Suspended', 'Stopped'],
    ['Stopped with runStrategy Halted', { runStrategy: 'Halted' }, { printableStatus: 'Stopped', conditions: [vmiNotExists] }, 'Suspended', 'Stopped'],
    ['Stopped with runStrategy Manual', { runStrategy: 'Manual' }, { printableStatus: 'Stopped', conditions: [vmiNotExists] }, 'Suspended', 'Stopped'],
    ['Stopped while it should run', { runStrategy: 'Always' }, { printableStatus: 'Stopped', conditions: [vmiNotExists] }, 'Progressing', 'Stopped; waiting for KubeVirt to start it'],
    ['Running while Halted (stopping)', { runStrategy: 'Halted' }, { printableStatus: 'Running', conditions: [readyTrue] }, 'Progressing', 'Running; waiting for the VM to stop'],
    ['Paused', { running: true }, { printableStatus: 'Paused', conditions: [readyTrue, { type: 'Paused', status: 'True', reason: 'PausedByUser' }] }, 'Suspended', 'Paused'],
    ['Provisioning (DataVolumes importing)', { running: true }, { printableStatus: 'Provisioning', conditions: [vmiNotExists] }, 'Progressing', 'Provisioning'],
    ['Starting', { running: true }, { printableStatus: 'Starting', created: true, conditions: [{ type: 'Ready', status: 'False', reason: 'PodNotExists' }] }, 'Progressing', 'Starting'],
    ['Migrating', { running: true }, { printableStatus: 'Migrating', ready: true, conditions: [readyTrue] }, 'Progressing', 'Migrating'],
    ['WaitingForVolumeBinding', { running: true }, { printableStatus: 'WaitingForVolumeBinding', conditions: [vmiNotExists] }, 'Progressing', 'WaitingForVolumeBinding'],
    ['ErrorUnschedulable', { running: true }, { printableStatus: 'ErrorUnschedulable', created: true, conditions: [{ type: 'Ready', status: 'False', reason: 'PodNotExists' }, { type: 'Failure', status: 'True', reason: 'Unschedulable', message: '0/3 nodes are available: 3 Insufficient devices.kubevirt.io/kvm.' }] }, 'Degraded', 'ErrorUnschedulable: 0/3 nodes are available: 3 Insufficient devices.kubevirt.io/kvm.'],
    ['ErrImagePull', { running: true }, { printableStatus: 'ErrImagePull', conditions: [{ type: 'Ready', status: 'False', reason: 'PodNotReady', message: 'failed to pull quay.io/containerdisks/fedora:40' }] }, 'Degraded', 'ErrImagePull: failed to pull quay.io/containerdisks/fedora:40'],
    ['ImagePullBackOff', { running: true }, { printableStatus: 'ImagePullBackOff', conditions: [vmiNotExists] }, 'Degraded', 'ImagePullBackOff'],
    ['CrashLoopBackOff', { running: true }, { printableStatus: 'CrashLoopBackOff', startFailure: { consecutiveFailCount: 3, retryAfterTimestamp: '2025-03-01T10:05:00Z' }, conditions: [vmiNotExists] }, 'Degraded', 'CrashLoopBackOff'],
    ['ErrorDataVolumeNotFound', { running: true }, { printableStatus: 'ErrorDataVolumeNotFound', conditions: [vmiNotExists] }, 'Degraded', 'ErrorDataVolumeNotFound'],
    ['DataVolumeError', { running: true }, { printableStatus: 'DataVolumeError', conditions: [vmiNotExists] }, 'Degraded', 'DataVolumeError'],
    ['a future Err status', { running: true }, { printableStatus: 'ErrorSomethingNew' }, 'Degraded', 'ErrorSomethingNew'],
    ['printableStatus Unknown', { running: true }, { printableStatus: 'Unknown' }, 'Unknown', 'KubeVirt reports the VM state as Unknown'],
    ['no status yet, should run', { running: true }, undefined, 'Progressing', 'No status available yet'],
    ['no status yet, halted', { runStrategy: 'Halted' }, undefined, 'Suspended', 'Stopped'],
  ])('%s', (_name, spec, status, expectedStatus, expectedMessage) => {
    expect(assessHealth(virtualMachine(spec, status))).toEqual({ status: expectedStatus, message: expectedMessage });
  });

  it('is Progressing while KubeVirt has not observed the latest generation', () => {
    const status = { printableStatus: 'Running', observedGeneration: 1, desiredGeneration: 2, conditions: [readyTrue] };
    expect(assessHealth(virtualMachine({ running: true }, status)).status).toBe('Progressing');
  });
});

describe('VirtualMachineInstance health', () => {
  it.each([
    ['Running', [readyTrue], 'Healthy'],
    ['Scheduling', [], 'Progressing'],
    ['Failed', [], 'Degraded'],
    ['Succeeded', [], 'Suspended'],
  ])('%s → %s', (phase, conditions, expected) => {
    const instance = { apiVersion: 'kubevirt.io/v1', kind: 'VirtualMachineInstance', metadata: { name: 'web-server-vm', namespace: 'app-web-prod' }, status: { phase, conditions } };
    expect(assessHealth(instance).status).toBe(expected);
  });
});

function dataVolume(name: string, status: Record<string, unknown> | undefined) {
  return {
    apiVersion: 'cdi.kubevirt.io/v1beta1',
    kind: 'DataVolume',
    metadata: { name, namespace: 'app-web-prod', generation: 1, annotations: { 'cdi.kubevirt.io/storage.usePopulator': 'true' } },
    spec: {
      pvc: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: name === 'web-server-root' ? '30Gi' : '100Gi' } }, storageClassName: 'fast-ssd' },
      source: name === 'web-server-root' ? { registry: { url: 'docker://registry.redhat.io/rhel8/rhel:latest' } } : { blank: {} },
    },
    ...(status ? { status } : {}),
  };
}

const boundCondition = { type: 'Bound', status: 'True', reason: 'Bound', message: 'PVC web-server-root Bound' };

describe('DataVolume health', () => {
  it.each([
    ['Succeeded', { phase: 'Succeeded', progress: '100.0%', conditions: [boundCondition, { type: 'Ready', status: 'True' }, { type: 'Running', status: 'False', reason: 'Completed' }] }, 'Healthy', 'Succeeded'],
    ['ImportInProgress', { phase: 'ImportInProgress', progress: '45.20%', conditions: [boundCondition, { type: 'Ready', status: 'False' }, { type: 'Running', status: 'True', reason: 'Pod is running' }] }, 'Progressing', 'ImportInProgress 45.20%'],
    ['ImportScheduled', { phase: 'ImportScheduled', progress: 'N/A' }, 'Progressing', 'ImportScheduled'],
    ['CloneInProgress', { phase: 'CloneInProgress', progress: '12.00%' }, 'Progressing', 'CloneInProgress 12.00%'],
    ['UploadReady', { phase: 'UploadReady', progress: 'N/A' }, 'Progressing', 'UploadReady'],
    ['Pending', { phase: 'Pending' }, 'Progressing', 'Pending'],
    ['WaitForFirstConsumer', { phase: 'WaitForFirstConsumer', progress: 'N/A', conditions: [{ type: 'Bound', status: 'False', reason: 'WaitForFirstConsumer' }] }, 'Healthy', 'WaitForFirstConsumer: the volume is populated when a VM first uses it'],
    ['PendingPopulation', { phase: 'PendingPopulation' }, 'Healthy', 'PendingPopulation: the volume is populated when a VM first uses it'],
    ['Paused', { phase: 'Paused' }, 'Suspended', 'Paused'],
    ['Failed', { phase: 'Failed', conditions: [{ type: 'Running', status: 'False', reason: 'Error', message: 'Unable to process data: Unable to transfer source data to target file' }] }, 'Degraded', 'Failed: Unable to process data: Unable to transfer source data to target file'],
    ['import failing (bad URL), still retried', { phase: 'ImportInProgress', progress: 'N/A', restartCount: 2, conditions: [boundCondition, { type: 'Ready', status: 'False' }, { type: 'Running', status: 'False', reason: 'Error', message: "Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found" }] }, 'Degraded', 'ImportInProgress: Unable to connect to http data source: expected status code 200, got 404. Status: 404 Not Found'],
    ['Unknown phase', { phase: 'Unknown' }, 'Unknown', 'CDI reports the DataVolume phase as Unknown'],
    ['no status yet', undefined, 'Progressing', 'No status available yet'],
  ])('%s', (_name, status, expectedStatus, expectedMessage) => {
    expect(assessHealth(dataVolume('web-server-root', status))).toEqual({ status: expectedStatus, message: expectedMessage });
  });
});
