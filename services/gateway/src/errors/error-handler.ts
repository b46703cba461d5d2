import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import type { GitProviderAdapter } from '../providers/provider-adapter.ts';
import type { GitProvider } from '../push/normalised-push.ts';
import { deliveryIdOf, type WebhookRouteConfig } from '../routes/git-webhook-routes.ts';
import { GatewayHttpError, PayloadTooLargeError, UnsupportedMediaTypeError } from './http-errors.ts';

/** Statuses that mean "this delivery was refused" and are published as webhook.rejected events. */
const rejectionStatuses = new Set([400, 401, 413, 415]);

/** The one place errors become HTTP responses: `{ error: <code>, message, statusCode }`. */
export function toGatewayHttpError(error: unknown): GatewayHttpError {
  if (error instanceof GatewayHttpError) return error;
  const statusCode = (error as FastifyError | undefined)?.statusCode;
  if (statusCode === 413) return new PayloadTooLargeError();
  if (statusCode === 415) return new UnsupportedMediaTypeError();
  // Fastify's own 4xx errors (bad content-length, aborted body, …) carry safe messages.
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new GatewayHttpError(statusCode, (error as FastifyError).code ?? 'BAD_REQUEST', (error as Error).message);
  }
  return new GatewayHttpError(500, 'INTERNAL_ERROR', 'internal error');
}

export function registerErrorHandling(app: FastifyInstance, deps: {
  events: EventPublisher;
  adapters: Record<GitProvider, GitProviderAdapter>;
}): void {
  app.setErrorHandler(async (error, request, reply) => {
    const httpError = toGatewayHttpError(error);
    const provider = webhookProviderOf(request);
    const deliveryId = provider ? deliveryIdOf(deps.adapters[provider], request) : undefined;
    const context = { method: request.method, url: request.url, statusCode: httpError.statusCode, ...(provider ? { provider } : {}), ...(deliveryId ? { deliveryId } : {}) };
    if (httpError.statusCode >= 500) {
      request.log.error({ ...context, err: error }, 'request failed');
    } else {
      request.log.warn({ ...context, reason: httpError.message }, provider ? 'webhook rejected' : 'request rejected');
    }
    if (provider && rejectionStatuses.has(httpError.statusCode)) {
      await deps.events.publish({
        type: eventTypes.webhookRejected,
        data: { provider, ...(deliveryId ? { deliveryId } : {}), reason: httpError.message, statusCode: httpError.statusCode },
      }).catch((publishError: unknown) => request.log.warn({ ...context, reason: (publishError as Error).message }, 'webhook event could not be published'));
    }
    if (httpError.statusCode === 503) reply.header('retry-after', '30');
    return reply.code(httpError.statusCode).send({ error: httpError.code, message: httpError.message, statusCode: httpError.statusCode });
  });

  app.setNotFoundHandler(async (request, reply) => reply.code(404).send({
    error: 'NOT_FOUND', message: `no route for ${request.method} ${request.url.split('?')[0]}`, statusCode: 404,
  }));
}

function webhookProviderOf(request: FastifyRequest): GitProvider | undefined {
  const config = request.routeOptions?.config as Partial<WebhookRouteConfig> | undefined;
  return config?.webhookProvider;
}
