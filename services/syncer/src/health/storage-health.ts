import { degraded, healthy, progressing, unknown, type HealthAssessment } from './health-assessment.ts';
import { stringAt, type LiveObject } from './live-object-fields.ts';

/** PersistentVolumeClaim: Bound → Healthy, Pending → Progressing, Lost → Degraded (gitops-engine health_pvc.go). */
export function persistentVolumeClaimHealth(claim: LiveObject): HealthAssessment {
  const phase = stringAt(claim, 'status', 'phase');
  switch (phase) {
    case 'Bound':
      return healthy();
    case 'Pending':
      return progressing('Waiting for the claim to be bound');
    case 'Lost':
      return degraded('The claim lost its persistent volume');
    default:
      return unknown(phase ? `Claim phase is ${phase}` : 'Claim has no phase yet');
  }
}

/** PersistentVolume: Available/Bound/Released → Healthy, Pending → Progressing, Failed → Degraded. */
export function persistentVolumeHealth(volume: LiveObject): HealthAssessment {
  const phase = stringAt(volume, 'status', 'phase');
  const message = stringAt(volume, 'status', 'message');
  switch (phase) {
    case 'Available':
    case 'Bound':
    case 'Released':
      return healthy(message);
    case 'Pending':
      return progressing(message);
    case 'Failed':
      return degraded(message ?? 'Volume reclamation failed');
    default:
      return unknown(phase ? `Volume phase is ${phase}` : 'Volume has no phase yet');
  }
}
