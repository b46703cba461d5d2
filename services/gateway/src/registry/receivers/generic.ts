import { z } from 'zod';
import { parsePayload } from '../../payloads/parse-payload.ts';
import type { RegistryReceiver } from '../registry-push.ts';

/** Tidewater's generic receiver: any CI or registry that can HMAC-sign a small JSON body. */
export const GenericImagePush = z.object({
  /** `registry-host/repository`, without a tag. */
  image: z.string().min(1).max(512),
  tag: z.string().min(1).max(128),
  digest: z.string().regex(/^sha256:[0-9a-f]{64}$/).optional(),
  /** An id for deduplication; default: a digest of the body. */
  id: z.string().min(1).max(128).optional(),
  actor: z.string().max(256).optional(),
}).strict();
export type GenericImagePush = z.infer<typeof GenericImagePush>;

/** `POST /webhooks/registry/generic` with `X-Signature: sha256=<HMAC-SHA256(secret, body)>`. */
export const genericReceiver: RegistryReceiver = {
  name: 'generic',
  authentication: 'hmac-signature',
  deliveryIdHeader: 'x-delivery-id',
  normalise(payload) {
    const push = parsePayload(GenericImagePush, payload, 'image push');
    return {
      ...(push.id ? { deliveryId: push.id } : {}),
      pushes: [{ image: push.image, tag: push.tag, ...(push.digest ? { digest: push.digest } : {}), ...(push.actor ? { actor: push.actor } : {}) }],
    };
  },
};
