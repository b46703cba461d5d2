import type { HealthStatus } from '@tidewater/queues';

/** The health of one object, or of an application, as judged from its live state. */
export interface HealthAssessment {
  status: HealthStatus;
  message?: string;
}

/**
 * Health codes from most to least healthy, as gitops-engine's `healthOrder` (pkg/health/health.go):
 * Healthy < Suspended < Progressing < Missing < Degraded < Unknown. Unknown is the worst on purpose: an object
 * whose state we cannot judge must never let its application look better than it is.
 */
export const healthOrder: readonly HealthStatus[] = ['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown'];

/** Whether `candidate` is a worse condition than `current` (gitops-engine's `IsWorse`). */
export function isWorse(current: HealthStatus, candidate: HealthStatus): boolean {
  return healthOrder.indexOf(candidate) > healthOrder.indexOf(current);
}

/** The health of an object the caller looked for and did not find. */
export function missingHealth(message = 'Object does not exist in the cluster'): HealthAssessment {
  return { status: 'Missing', message };
}

/** The health of an object whose live state could not be read (watch down, CRD missing): never Healthy. */
export function unknownHealth(message: string): HealthAssessment {
  return { status: 'Unknown', message };
}

export function healthy(message?: string): HealthAssessment {
  return withMessage('Healthy', message);
}

export function progressing(message?: string): HealthAssessment {
  return withMessage('Progressing', message);
}

export function degraded(message?: string): HealthAssessment {
  return withMessage('Degraded', message);
}

export function suspended(message?: string): HealthAssessment {
  return withMessage('Suspended', message);
}

export function unknown(message?: string): HealthAssessment {
  return withMessage('Unknown', message);
}

function withMessage(status: HealthStatus, message: string | undefined): HealthAssessment {
  return message ? { status, message } : { status };
}
