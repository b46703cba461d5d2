import { z } from 'zod';
import { parsePayload } from '../../payloads/parse-payload.ts';
import type { RegistryReceiver } from '../registry-push.ts';

/** Azure Container Registry webhook: `{id, timestamp, action, target: {mediaType, digest, repository, tag}, request: {host}}`. */
export const AcrEvent = z.looseObject({
  id: z.string().min(1),
  action: z.string(),
  target: z.looseObject({ mediaType: z.string().optional(), digest: z.string().optional(), repository: z.string().min(1), tag: z.string().optional() }),
  request: z.looseObject({ host: z.string().min(1) }),
});

/** ACR: a custom header `Authorization: Bearer <receiver token>` on the webhook. */
export const acrReceiver: RegistryReceiver = {
  name: 'acr',
  authentication: 'bearer-header',
  normalise(payload) {
    const event = parsePayload(AcrEvent, payload, 'ACR event');
    if (event.action !== 'push' || !event.target.tag) return { deliveryId: event.id, pushes: [], ignoredReason: 'not a tagged push' };
    const digest = event.target.digest && /^sha256:[0-9a-f]{64}$/.test(event.target.digest) ? event.target.digest : undefined;
    return { deliveryId: event.id, pushes: [{ image: `${event.request.host}/${event.target.repository}`, tag: event.target.tag, ...(digest ? { digest } : {}) }] };
  },
};
