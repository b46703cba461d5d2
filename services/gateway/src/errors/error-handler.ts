import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { GitProviderAdapter } from '../providers/provider-adapter.ts';
import type { GitProvider } from '../push/normalised-push.ts';
import { loggableDeliveryId, type RejectionRecorder } from '../rejections/rejection-recorder.ts';
import type { WebhookRouteConfig } from '../routes/git-webhook-routes.ts';
import { GatewayHttpError, PayloadTooLargeError, RateLimitedError, UnsupportedMediaTypeError } from './http-errors.ts';

/** The one place errors become HTTP responses: `{ error: <code>, message, statusCode }`. */
export function toGatewayHttpError(error: unknown): GatewayHttpError {
  if (error instanceof GatewayHttpError) return error;
  const statusCode = (error as FastifyError | undefined)?.statusCode;
  if (statusCode === 413) return new PayloadTooLargeError();
  if (statusCode === 415) return new UnsupportedMediaTypeError();
  // Fastify's own 4xx errors (bad content-length, aborted body, rate limit, …) carry safe messages.
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) {
    return new GatewayHttpError(statusCode, (error as FastifyError).code ?? 'BAD_REQUEST', (error as Error).message);
  }
  return new GatewayHttpError(500, 'INTERNAL_ERROR', 'internal error');
}

export function registerErrorHandling(app: FastifyInstance, deps: {
  rejections: RejectionRecorder;
  adapters: Record<GitProvider, GitProviderAdapter>;
}): void {
  app.setErrorHandler(async (error, request, reply) => {
    const httpError = toGatewayHttpError(error);
    const provider = webhookProviderOf(request);
    if (httpError.statusCode >= 500) {
      const deliveryId = provider ? loggableDeliveryId(deps.adapters[provider].deliveryId(request.headers)) : undefined;
      request.log.error({
        method: request.method, url: request.url, statusCode: httpError.statusCode, ...(provider ? { provider } : {}), ...(deliveryId ? { deliveryId } : {}), err: error,
      }, 'request failed');
    } else if (provider) {
      // A refused webhook: a counter and a sampled log line, never an event (see rejection-recorder.ts).
      const deliveryId = loggableDeliveryId(deps.adapters[provider].deliveryId(request.headers));
      deps.rejections.record({
        provider, reason: httpError.reason, statusCode: httpError.statusCode, message: httpError.message, ...(deliveryId ? { deliveryId } : {}),
      }, request.log);
    } else {
      request.log.warn({ method: request.method, url: request.url, statusCode: httpError.statusCode, reason: httpError.message }, 'request rejected');
    }
    if (httpError.statusCode === 503) reply.header('retry-after', '30');
    if (httpError instanceof RateLimitedError) reply.header('retry-after', String(httpError.retryAfterSeconds));
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
