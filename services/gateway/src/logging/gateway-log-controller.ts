import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Fastify's per-request lines ("incoming request", "request completed"), except where the gateway logs for itself:
 * on webhook routes the handler writes one line per delivery (accepted, duplicate, ignored, …) and the error
 * handler one per rejection, so fastify's two lines per request would only triple the log (and its cost).
 * Health probes are not logged at all: probes every few seconds would drown out the rest.
 */
export class GatewayLogController extends LogController {
  constructor() {
    super({ disableRequestLogging: (request) => request.url === '/healthz' || request.url === '/readyz' });
  }

  override incomingRequest(request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    if (isWebhookRoute(request)) return;
    super.incomingRequest(request, reply, metadata);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply, metadata?: Record<string, unknown>): void {
    // An error after the reply (a broken response stream) is still logged.
    if (!error && isWebhookRoute(request)) return;
    super.requestCompleted(error, request, reply, metadata);
  }
}

function isWebhookRoute(request: FastifyRequest): boolean {
  const config = request.routeOptions?.config as { webhookProvider?: unknown; registryReceiver?: unknown } | undefined;
  return config?.webhookProvider !== undefined || config?.registryReceiver !== undefined;
}
