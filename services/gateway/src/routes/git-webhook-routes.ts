import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import type { Repository, TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import type { Producers } from '@tidewater/queues';
import { currentTraceId, withSpan } from '@tidewater/telemetry';
import type { DeliveryDedupe } from '../dedupe/delivery-dedupe.ts';
import { ExternalServiceError, PayloadError, WebhookSignatureError } from '../errors/http-errors.ts';
import type { GitProviderAdapter, RepositoryIdentifiers } from '../providers/provider-adapter.ts';
import type { GitProvider } from '../push/normalised-push.ts';
import { announceConfigSourcePush } from '../push/config-source-push.ts';
import { readPushRoutingState, requestRendersForPushes, type PushRenders } from '../push/render-requests.ts';
import { loggableDeliveryId } from '../rejections/rejection-recorder.ts';
import { matchingRepositories, normalisedPayloadUrls, normalisedRepositoryUrl } from '../routing/repository-match.ts';
import { createWebhookSecretCache, repositoriesForProvider, type WebhookSecretCache, type WebhookSecretCandidate } from '../secrets/webhook-secrets.ts';
import { parseWebhookBody, webhookBodyFormat } from './webhook-body.ts';

export interface GitWebhookRouteDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  producers: Producers;
  events: EventPublisher;
  dedupe: DeliveryDedupe;
  adapters: Record<GitProvider, GitProviderAdapter>;
  globalWebhookSecret?: string;
  /** `TIDEWATER_CONFIG`; a push to a `git::` source's repository is announced as a configuration change. */
  configSource?: string;
}

/** Route config marking a webhook route, so the error handler can count and log a rejection under its provider. */
export interface WebhookRouteConfig {
  webhookProvider: GitProvider;
}

interface WebhookReply {
  statusCode: number;
  body: Record<string, unknown>;
}

/** `POST /webhooks/git/<provider>` for every provider adapter. */
export function registerGitWebhookRoutes(app: FastifyInstance, deps: GitWebhookRouteDeps): void {
  const secrets = createWebhookSecretCache(deps.globalWebhookSecret ? { globalSecret: deps.globalWebhookSecret } : {});
  for (const adapter of Object.values(deps.adapters)) {
    const routeConfig: WebhookRouteConfig = { webhookProvider: adapter.provider };
    app.post(`/webhooks/git/${adapter.provider}`, { config: routeConfig }, async (request, reply) => {
      const outcome = await handleGitWebhook(deps, secrets, adapter, request);
      return reply.code(outcome.statusCode).send(outcome.body);
    });
  }
}

/**
 * The provider's delivery id, or a digest of the body when the provider sent none (identical bodies dedupe).
 * The header is not covered by the signature: one that is not a printable id of at most 128 characters is a 400.
 */
export function deliveryIdOf(adapter: GitProviderAdapter, request: FastifyRequest): string | undefined {
  const fromHeader = adapter.deliveryId(request.headers);
  if (fromHeader !== undefined) {
    if (loggableDeliveryId(fromHeader) === undefined) throw new PayloadError('the delivery id header is not a printable id of at most 128 characters');
    return fromHeader;
  }
  return Buffer.isBuffer(request.body) ? bodyDeliveryId(request.body) : undefined;
}

/** A delivery id derived from the exact body: identical bodies share it. */
function bodyDeliveryId(rawBody: Buffer): string {
  return `sha256-${createHash('sha256').update(rawBody).digest('hex').slice(0, 32)}`;
}

async function handleGitWebhook(
  deps: GitWebhookRouteDeps,
  secrets: WebhookSecretCache,
  adapter: GitProviderAdapter,
  request: FastifyRequest,
): Promise<WebhookReply> {
  const receivedAt = new Date().toISOString();
  const provider = adapter.provider;
  const traceparent = request.headers.traceparent;
  const carrier = typeof traceparent === 'string' ? { traceparent, ...(typeof request.headers.tracestate === 'string' ? { tracestate: request.headers.tracestate } : {}) } : undefined;
  return withSpan(`webhook ${provider}`, { kind: 'server', ...(carrier ? { carrier } : {}), attributes: { 'tidewater.provider': provider } }, async (span) => {
    // Raw body → signature → parse → normalise → enqueue, in that order.
    const format = webhookBodyFormat(request.headers['content-type'], request.body, adapter.acceptsFormBody);
    const rawBody = request.body as Buffer;
    const log = request.log;
    if (rawBody.length === 0) throw new PayloadError('request body is empty', { reason: 'body_empty' });

    // Secrets were read once for this configuration: a refused request costs at most one HMAC per candidate.
    const config = deps.config();
    const candidates = secrets.candidates(config, provider, log);
    if (candidates.length === 0) throw new WebhookSignatureError(`no webhook secret is configured for ${provider}`, 'no_secret_configured');
    const verified = await verifiedCandidates(adapter, rawBody, request, candidates);
    if (verified.length === 0) throw new WebhookSignatureError('signature does not match any configured webhook secret');
    const deliveryId = deliveryIdOf(adapter, request) ?? 'unknown';
    span.setAttribute('tidewater.delivery_id', deliveryId);
    const logContext = { provider, deliveryId };

    const payload = parseWebhookBody(rawBody, format);
    const eventName = adapter.eventName(request.headers);
    if (!eventName) throw new PayloadError('request names no event type');
    if (!/^[\x20-\x7e]{1,64}$/.test(eventName)) throw new PayloadError('the event type header is not printable text of at most 64 characters');
    span.setAttribute('tidewater.event', eventName);
    const eventKind = adapter.eventKind(eventName);

    const identifiers = adapter.repositoryIdentifiers(payload);
    const namesRepository = identifiers.urls.length > 0 || identifiers.fullNames.length > 0;
    if (eventKind === 'push' && !namesRepository) throw new PayloadError('push payload names no repository');
    const authorisedRepositories = namesRepository ? authoriseRepository(verified, repositoriesForProvider(config, provider), identifiers) : [];

    if (eventKind === 'ping') {
      log.info({ ...logContext, event: eventName }, 'webhook ping answered');
      return { statusCode: 200, body: { ok: true } };
    }
    if (eventKind === 'ignored') {
      log.info({ ...logContext, event: eventName }, 'webhook event ignored');
      return { statusCode: 202, body: { deliveryId, ignored: true, reason: `event "${eventName}" is not handled`, queued: [], apps: [] } };
    }

    const repoUrls = [...new Set([
      ...normalisedPayloadUrls(identifiers),
      ...authorisedRepositories.map(normalisedRepositoryUrl).filter((url): url is string => url !== undefined),
    ])];
    const pushes = adapter.normalisePushes(payload, { deliveryId, repoUrls });
    const livePushes = pushes.filter((push) => !push.deleted);
    if (livePushes.length === 0) {
      log.info({ ...logContext, refs: pushes.map((push) => push.ref) }, 'webhook push deleted refs only');
      return { statusCode: 202, body: { deliveryId, ignored: true, reason: 'ref deleted: nothing to render', queued: [], apps: [] } };
    }

    // The delivery claims and the reads routing needs go out together (one round trip); nothing else is written
    // before the claims have succeeded. The body is claimed too: the delivery id header is not signed, so a
    // captured delivery replayed under fresh ids is a duplicate, not a new event each time.
    const bodyId = bodyDeliveryId(rawBody);
    const [claim, bodyClaim, routing] = await Promise.allSettled([
      claimDelivery(deps.dedupe, provider, deliveryId),
      bodyId === deliveryId ? Promise.resolve(true) : claimDelivery(deps.dedupe, provider, bodyId),
      readPushRoutingState(deps.redis, livePushes, config.applications),
    ]);
    if (claim.status === 'rejected') throw claim.reason;
    if (bodyClaim.status === 'rejected') throw bodyClaim.reason;
    if (!claim.value || !bodyClaim.value) {
      // A replay under a fresh id leaves nothing behind: its id claim is dropped again.
      if (claim.value) await deps.dedupe.release(provider, deliveryId).catch(() => {});
      log.info({ ...logContext, replayedBody: claim.value }, 'webhook delivery is a duplicate');
      return { statusCode: 202, body: { deliveryId, duplicate: true, queued: [], apps: [] } };
    }
    const repo = authorisedRepositories[0]?.spec.url ?? identifiers.urls[0] ?? identifiers.fullNames[0];
    const traceId = currentTraceId();
    let results: PushRenders[];
    try {
      if (routing.status === 'rejected') throw new ExternalServiceError('could not queue render jobs', { cause: routing.reason });
      results = await requestRendersForPushes({
        redis: deps.redis, producers: deps.producers, applications: config.applications, pushes: livePushes, receivedAt,
        events: deps.events, state: routing.value,
        // Published once every render is queued, together with the pause gate's records.
        afterQueued: async (queued) => {
          await Promise.all(queued.map(({ push, renders }) => deps.events.publish({
            type: eventTypes.webhookReceived,
            subject: repo,
            data: {
              provider, deliveryId, repo, ref: push.ref, revision: push.revision, apps: renders.map((render) => render.app),
              ...(push.actor ? { actor: push.actor } : {}), ...(traceId ? { traceId } : {}),
              // The pushed commit's message and author, for history views (the API holds no Git credentials to read them).
              ...(push.headCommit?.id === push.revision ? {
                commitMessage: push.headCommit.message.slice(0, 2_000), ...(push.headCommit.author ? { commitAuthor: push.headCommit.author } : {}),
              } : {}),
            },
          }).catch((error: unknown) => log.warn({ ...logContext, reason: (error as Error).message }, 'webhook event could not be published'))));
        },
      });
    } catch (error) {
      // Forget the delivery so the provider's retry is processed rather than dropped as a duplicate.
      await Promise.all([deps.dedupe.release(provider, deliveryId), deps.dedupe.release(provider, bodyId)]).catch(() => {});
      throw error;
    }

    // --- live configuration: a push to the git:: configuration repository makes every service reload ---
    if (deps.configSource) {
      const configRevision = await announceConfigSourcePush(deps.redis, deps.configSource, livePushes)
        .catch((error: unknown) => log.warn({ ...logContext, reason: (error as Error).message }, 'configuration change could not be announced'));
      if (configRevision) log.info({ ...logContext, revision: configRevision }, 'push to the configuration repository: services reload');
    }
    // One line per accepted delivery (fastify's own request lines are off for webhook routes).
    for (const { push, renders, held, resumed } of results) {
      const apps = renders.map((render) => render.app);
      log.info({ ...logContext, ref: push.ref, revision: push.revision, apps, jobIds: renders.map((render) => render.jobId) }, 'webhook push accepted');
      if (held.length > 0) log.info({ ...logContext, revision: push.revision, apps: held }, 'webhook push held: applications paused after a rollback');
      if (resumed.length > 0) log.info({ ...logContext, revision: push.revision, apps: resumed }, 'new commit resumed automated sync of paused applications');
    }
    const renders = results.flatMap((result) => result.renders);
    const held = [...new Set(results.flatMap((result) => result.held))];
    return {
      statusCode: 202,
      body: {
        deliveryId, queued: renders.map((render) => render.jobId), apps: [...new Set(renders.map((render) => render.app))],
        ...(held.length > 0 ? { paused: held } : {}),
      },
    };
  });
}

async function verifiedCandidates(
  adapter: GitProviderAdapter,
  rawBody: Buffer,
  request: FastifyRequest,
  candidates: readonly WebhookSecretCandidate[],
): Promise<WebhookSecretCandidate[]> {
  const distinctSecrets = [...new Set(candidates.map((candidate) => candidate.secret))];
  const verifiedSecrets = new Set(await adapter.verifiedSecrets(rawBody, request.headers, distinctSecrets));
  return candidates.filter((candidate) => verifiedSecrets.has(candidate.secret));
}

/**
 * The signature is checked against every secret of the provider before the body is read; once parsed, the
 * verifying secret must belong to a Repository the payload names (or be the global secret). Returns the
 * repositories the delivery is authorised for.
 */
function authoriseRepository(
  verified: readonly WebhookSecretCandidate[],
  repositories: readonly Repository[],
  identifiers: RepositoryIdentifiers,
): Repository[] {
  const named = matchingRepositories(repositories, identifiers);
  if (verified.some((candidate) => candidate.repository === undefined)) return named;
  const authorised = named.filter((repository) => verified.some((candidate) => candidate.repository === repository));
  if (authorised.length === 0) throw new WebhookSignatureError('the verifying secret does not belong to the payload\'s repository', 'repository_not_authorised');
  return authorised;
}

async function claimDelivery(dedupe: DeliveryDedupe, provider: string, deliveryId: string): Promise<boolean> {
  try {
    return await dedupe.claim(provider, deliveryId);
  } catch (error) {
    throw new ExternalServiceError('could not record the webhook delivery', { cause: error });
  }
}
