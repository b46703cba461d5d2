import { z } from 'zod';
import { PayloadError } from '../../errors/http-errors.ts';
import { parsePayload } from '../../payloads/parse-payload.ts';
import type { RegistryReceiver } from '../registry-push.ts';

/** A Pub/Sub push request. */
export const PubSubPush = z.looseObject({
  message: z.looseObject({ data: z.string().min(1).max(64 * 1024), messageId: z.string().min(1) }),
  subscription: z.string().optional(),
});

/** Artifact Registry's `gcr` topic message: `{action: "INSERT", digest: "<image>@sha256:…", tag: "<image>:<tag>"}`. */
export const ArtifactRegistryMessage = z.looseObject({ action: z.string(), digest: z.string().optional(), tag: z.string().optional() });

/**
 * Google Artifact Registry / GCR through a Pub/Sub push subscription. Pub/Sub's own proof is a Google-signed OIDC
 * JWT, which needs Google's keys: the push endpoint carries the receiver token in its path instead (weaker).
 */
export const garReceiver: RegistryReceiver = {
  name: 'gar',
  authentication: 'url-token',
  normalise(payload) {
    const push = parsePayload(PubSubPush, payload, 'Pub/Sub push');
    let decoded: unknown;
    try {
      decoded = JSON.parse(Buffer.from(push.message.data, 'base64').toString('utf8'));
    } catch (error) {
      throw new PayloadError('message.data is not base64 JSON', { cause: error });
    }
    const message = parsePayload(ArtifactRegistryMessage, decoded, 'Artifact Registry message');
    if (message.action !== 'INSERT' || !message.tag) return { deliveryId: push.message.messageId, pushes: [], ignoredReason: 'not a tagged insert' };
    const lastColon = message.tag.lastIndexOf(':');
    if (lastColon <= message.tag.lastIndexOf('/')) throw new PayloadError('Artifact Registry message field "tag" is not <image>:<tag>');
    const digestAt = message.digest?.indexOf('@sha256:') ?? -1;
    const digest = digestAt >= 0 ? message.digest?.slice(digestAt + 1) : undefined;
    return {
      deliveryId: push.message.messageId,
      pushes: [{ image: message.tag.slice(0, lastColon), tag: message.tag.slice(lastColon + 1), ...(digest && /^sha256:[0-9a-f]{64}$/.test(digest) ? { digest } : {}) }],
    };
  },
};
