import { healthy, progressing, type HealthAssessment } from './health-assessment.ts';
import { arrayAt, stringAt, type LiveObject } from './live-object-fields.ts';

/** Service: a LoadBalancer is Progressing until the cloud provider publishes an address; other types are Healthy. */
export function serviceHealth(service: LiveObject): HealthAssessment {
  if (stringAt(service, 'spec', 'type') !== 'LoadBalancer') return healthy();
  return loadBalancerHealth(service, 'Waiting for the load balancer to get an address');
}

/** Ingress: Progressing until the ingress controller publishes an address (as gitops-engine). */
export function ingressHealth(ingress: LiveObject): HealthAssessment {
  return loadBalancerHealth(ingress, 'Waiting for the ingress controller to publish an address');
}

function loadBalancerHealth(object: LiveObject, waitingMessage: string): HealthAssessment {
  const entries = arrayAt(object, 'status', 'loadBalancer', 'ingress');
  if (entries.length === 0) return progressing(waitingMessage);
  const addresses = entries
    .map((entry) => stringAt(entry, 'ip') ?? stringAt(entry, 'hostname'))
    .filter((address): address is string => address !== undefined);
  return healthy(addresses.length > 0 ? `Address ${addresses.join(', ')}` : undefined);
}
