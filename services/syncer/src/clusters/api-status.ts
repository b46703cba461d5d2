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

const statusTexts: Record<number, string> = {
  429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** `429 Too Many Requests`, `503 Service Unavailable`, `HTTP 599`: the answer's status as an operator reads it. */
export function describeStatus(status: number): string {
  if (status === 0) return 'no HTTP status';
  return statusTexts[status] ? `${status} ${statusTexts[status]}` : `HTTP ${status}`;
}

/**
 * Wraps a retryable answer (429, 5xx) into the error BullMQ retries. The cluster answered, so the message names
 * its HTTP status (throttled, overloaded, failing) rather than calling it unreachable.
 */
export function retryableStatusError(clusterName: string, response: KubeResponse, doing: string): ExternalServiceError {
  const detail = statusMessage(response);
  const answered = describeStatus(response.status);
  return new ExternalServiceError(
    `kubernetes cluster ${clusterName}`,
    `cluster ${clusterName} answered ${answered} while ${doing}${detail === `HTTP ${response.status}` ? '' : `: ${detail}`}`,
  );
}
