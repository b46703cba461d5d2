import type { V1Status } from '@kubernetes/client-node';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import type { KubeResponse } from './kube-transport.ts';

/** Throttling and server-side trouble: worth retrying the whole sync later. Everything else is about the request. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500 || status === 0;
}

/** The API server's own explanation from a Status body, else the start of the raw answer. */
export function statusMessage(response: KubeResponse): string {
  const body = response.body as Partial<V1Status> | string | undefined;
  if (body && typeof body === 'object' && typeof body.message === 'string') return body.message;
  if (typeof body === 'string' && body.trim() !== '') return body.trim().slice(0, 300);
  return `HTTP ${response.status}`;
}

/** Wraps a retryable answer (429, 5xx) into the error BullMQ retries. */
export function retryableStatusError(clusterName: string, response: KubeResponse, doing: string): ExternalServiceError {
  return new ExternalServiceError(
    `kubernetes cluster ${clusterName}`,
    `cluster ${clusterName} unreachable: ${doing} answered ${response.status}: ${statusMessage(response)}`,
  );
}
