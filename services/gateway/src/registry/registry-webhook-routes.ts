import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TidewaterConfig } from '@tidewater/config';
import type { ImageProducer } from '@tidewater/queues';
import { injectTraceContext, withSpan } from '@tidewater/telemetry';
import type { DeliveryDedupe } from '../dedupe/delivery-dedupe.ts';
import { ExternalServiceError, PayloadError } from '../errors/http-errors.ts';
import { headerValue } from '../providers/provider-adapter.ts';
import { loggableDeliveryId } from '../rejections/rejection-recorder.ts';
import { parseWebhookBody, webhookBodyFormat } from '../routes/webhook-body.ts';
import { disabledPoliciesFor, queueImageJobs, type QueuedImageJob } from './image-job-routing.ts';
import { verifyRegistryRequest } from './registry-auth.ts';
import type { RegistryPush, RegistryReceiver } from './registry-push.ts';
import { registryReceivers } from './receivers/index.ts';

export interface RegistryWebhookRouteDeps {
  config: () => TidewaterConfig;
  imageProducer: ImageProducer;
  dedupe: DeliveryDedupe;
  /** The registry webhook secret(s) (`TIDEWATER_SECRET_REGISTRY_WEBHOOK`; two during rotation). None: every delivery is 401. */
  secrets: readonly string[];
}

/** Route config of a registry route: the error handler counts a refusal under `registry-<name>` and never logs the URL. */
export interface RegistryRouteConfig {
  registryReceiver: string;
}

/**
 * `POST /webhooks/registry/<receiver>` (and `/webhooks/registry/<receiver>/<token>` for registries that cannot
 * sign): raw body → proof → parse → normalise → dedupe → one image job per policy watching the image → 202.
 */
export function registerRegistryWebhookRoutes(app: FastifyInstance, deps: RegistryWebhookRouteDeps): void {
  for (const receiver of Object.values(registryReceivers)) {
    const config: RegistryRouteConfig = { registryReceiver: receiver.name };
    const path = receiver.authentication === 'url-token' ? `/webhooks/registry/${receiver.name}/:token` : `/webhooks/registry/${receiver.name}`;
    app.post(path, { config }, async (request, reply) => {
      const outcome = await handleRegistryWebhook(deps, receiver, request);
      return reply.code(outcome.statusCode).send(outcome.body);
    });
  }
}

async function handleRegistryWebhook(deps: RegistryWebhookRouteDeps, receiver: RegistryReceiver, request: FastifyRequest): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const receivedAt = new Date().toISOString();
  const provider = `registry-${receiver.name}`;
  const traceparent = request.headers.traceparent;
  const carrier = typeof traceparent === 'string' ? { traceparent } : undefined;
  return withSpan(`registry webhook ${receiver.name}`, { kind: 'server', ...(carrier ? { carrier } : {}), attributes: { 'tidewater.provider': provider } }, async (span) => {
    const format = webhookBodyFormat(request.headers['content-type'], request.body, false);
    const rawBody = request.body as Buffer;
    if (rawBody.length === 0) throw new PayloadError('request body is empty', { reason: 'body_empty' });
    const pathToken = (request.params as { token?: string } | undefined)?.token;
    await verifyRegistryRequest({ receiver, secrets: deps.secrets, rawBody, headers: request.headers, pathToken });

    const payload = parseWebhookBody(rawBody, format);
    const normalised = receiver.normalise(payload, request.headers);
    const bodyId = `sha256-${createHash('sha256').update(rawBody).digest('hex').slice(0, 32)}`;
    const headerId = receiver.deliveryIdHeader ? headerValue(request.headers, receiver.deliveryIdHeader) : undefined;
    const candidateId = headerId ?? normalised.deliveryId;
    const deliveryId = candidateId !== undefined && loggableDeliveryId(candidateId) !== undefined ? candidateId : bodyId;
    span.setAttribute('tidewater.delivery_id', deliveryId);
    const log = request.log;
    const logContext = { provider, deliveryId };
    if (normalised.pushes.length === 0) {
      log.info({ ...logContext, reason: normalised.ignoredReason }, 'registry webhook ignored');
      return { statusCode: 202, body: { deliveryId, ignored: true, reason: normalised.ignoredReason ?? 'no image push', queued: [] } };
    }

    const config = deps.config();
    // Redeliveries of one notification, and identical content under fresh ids (re-pushing a tag sends the same
    // event again), are claimed: (image, tag, digest) when the registry sent a digest, else the body.
    const contentIds = normalised.pushes.map((push) => push.digest ? contentKey(push) : bodyId);
    const claims = await claimAll(deps.dedupe, provider, [deliveryId, ...new Set(contentIds)]);
    const fresh = normalised.pushes.filter((_push, index) => claims.get(contentIds[index]) !== false);
    if (claims.get(deliveryId) === false || fresh.length === 0) {
      log.info(logContext, 'registry webhook delivery is a duplicate');
      return { statusCode: 202, body: { deliveryId, duplicate: true, queued: [] } };
    }
    for (const push of fresh) {
      for (const disabled of disabledPoliciesFor(config, push)) log.info({ ...logContext, image: push.image, policy: disabled.id, reason: disabled.reason }, 'image policy is disabled: push not acted on');
    }

    let queued: QueuedImageJob[];
    try {
      queued = await queueImageJobs({
        config, producer: deps.imageProducer, pushes: fresh, trace: injectTraceContext(),
        source: { provider, deliveryId, receivedAt },
      });
    } catch (error) {
      await Promise.all([deliveryId, ...contentIds].map((id) => deps.dedupe.release(provider, id))).catch(() => {});
      throw new ExternalServiceError('could not queue image jobs', { cause: error });
    }
    if (queued.length === 0) {
      log.debug({ ...logContext, images: fresh.map(describePush) }, 'registry push matches no image policy');
      return { statusCode: 202, body: { deliveryId, ignored: true, reason: 'no image policy watches this image', queued: [] } };
    }
    log.info({ ...logContext, images: fresh.map(describePush), jobIds: queued.map((job) => job.jobId) }, 'registry push accepted');
    return { statusCode: 202, body: { deliveryId, queued: queued.map((job) => job.jobId), apps: [...new Set(queued.map((job) => job.app))] } };
  });
}

function contentKey(push: RegistryPush): string {
  return `content-${createHash('sha256').update(`${push.image}\n${push.tag ?? ''}\n${push.digest ?? ''}`).digest('hex').slice(0, 32)}`;
}

function describePush(push: RegistryPush): string {
  return `${push.image}:${push.tag ?? ''}${push.digest ? `@${push.digest}` : ''}`;
}

async function claimAll(dedupe: DeliveryDedupe, provider: string, ids: readonly string[]): Promise<Map<string, boolean>> {
  try {
    const unique = [...new Set(ids)];
    const results = await Promise.all(unique.map((id) => dedupe.claim(provider, id)));
    return new Map(unique.map((id, index) => [id, results[index]]));
  } catch (error) {
    throw new ExternalServiceError('could not record the webhook delivery', { cause: error });
  }
}
