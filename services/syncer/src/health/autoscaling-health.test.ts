import { describe, it, expect } from 'vitest';
import { assessHealth } from './assess-health.ts';

function autoscaler(conditions: Array<Record<string, unknown>> | undefined, apiVersion = 'autoscaling/v2', annotations?: Record<string, string>) {
  return {
    apiVersion,
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'web', ...(annotations ? { annotations } : {}) },
    spec: { minReplicas: 2, maxReplicas: 10, scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
    status: { currentReplicas: 2, desiredReplicas: 2, ...(conditions ? { conditions } : {}) },
  };
}

const ableToScale = { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const scalingActive = { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)' };
const scalingLimited = { type: 'ScalingLimited', status: 'True', reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };

describe('HorizontalPodAutoscaler health', () => {
  it('is Healthy when able to scale and scaling is active', () => {
    expect(assessHealth(autoscaler([ableToScale, scalingActive, { ...scalingLimited, status: 'False', reason: 'DesiredWithinRange' }]))).toEqual({ status: 'Healthy', message: scalingActive.message });
    expect(assessHealth(autoscaler([ableToScale, scalingActive, scalingLimited]))).toEqual({ status: 'Healthy', message: scalingLimited.message });
  });

  it('is Degraded when it cannot read metrics or the scale target', () => {
    const noMetrics = { type: 'ScalingActive', status: 'False', reason: 'FailedGetResourceMetric', message: 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu' };
    expect(assessHealth(autoscaler([ableToScale, noMetrics]))).toEqual({ status: 'Degraded', message: noMetrics.message });
    const noTarget = { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: 'the HPA controller was unable to get the target\'s current scale: deployments/scale.apps "web" not found' };
    expect(assessHealth(autoscaler([noTarget])).status).toBe('Degraded');
  });

  it('is Suspended when the target is scaled to zero, Progressing in a backoff window or without conditions', () => {
    expect(assessHealth(autoscaler([ableToScale, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' }])).status).toBe('Suspended');
    expect(assessHealth(autoscaler([{ type: 'AbleToScale', status: 'False', reason: 'BackoffBoth', message: 'the time since the previous scale is still within both the downscale and upscale forbidden windows' }])).status).toBe('Progressing');
    expect(assessHealth(autoscaler(undefined))).toEqual({ status: 'Progressing', message: 'Waiting to autoscale' });
  });

  it('reads autoscaling/v1 conditions from the annotation', () => {
    const annotation = JSON.stringify([ableToScale, scalingActive]);
    expect(assessHealth(autoscaler(undefined, 'autoscaling/v1', { 'autoscaling.alpha.kubernetes.io/conditions': annotation })).status).toBe('Healthy');
    expect(assessHealth(autoscaler(undefined, 'autoscaling/v1', { 'autoscaling.alpha.kubernetes.io/conditions': 'not json' })).status).toBe('Progressing');
  });
});
