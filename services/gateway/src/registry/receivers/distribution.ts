import { z } from 'zod';
import { parsePayload } from '../../payloads/parse-payload.ts';
import type { RegistryPush, RegistryReceiver } from '../registry-push.ts';

const DistributionEvent = z.looseObject({
  id: z.string().min(1),
  action: z.string(),
  target: z.looseObject({
    mediaType: z.string().optional(),
    digest: z.string().optional(),
    repository: z.string().min(1),
    tag: z.string().optional(),
    url: z.string().optional(),
  }),
  request: z.looseObject({ host: z.string().optional() }).optional(),
  actor: z.looseObject({ name: z.string().optional() }).optional(),
});

/** Docker Distribution's notification envelope (`application/vnd.docker.distribution.events.v1+json`, v2 too). */
export const DistributionEnvelope = z.looseObject({ events: z.array(DistributionEvent).min(1).max(100) });
export type DistributionEnvelope = z.infer<typeof DistributionEnvelope>;

const manifestMediaTypes = /^application\/vnd\.(docker\.distribution\.manifest\.(v2|list\.v2)|oci\.image\.(manifest|index)\.v1)\+json$/;

/** The registry host a Distribution event names: the push request's Host, else the target URL's. */
function hostOf(event: z.infer<typeof DistributionEvent>): string | undefined {
  if (event.request?.host) return event.request.host;
  try {
    return event.target.url ? new URL(event.target.url).host : undefined;
  } catch {
    return undefined;
  }
}

/** Docker Distribution (the harness's real Debian docker-registry): `Authorization: Bearer <token>` set in `notifications.endpoints`. */
export const distributionReceiver: RegistryReceiver = {
  name: 'distribution',
  authentication: 'bearer-header',
  normalise(payload) {
    const envelope = parsePayload(DistributionEnvelope, payload, 'notification');
    const pushes: RegistryPush[] = [];
    for (const event of envelope.events) {
      // Blob pushes, pulls, mounts, deletes and pushes by digest alone are not image releases.
      if (event.action !== 'push' || !event.target.tag || !manifestMediaTypes.test(event.target.mediaType ?? '')) continue;
      const host = hostOf(event);
      if (!host) continue;
      pushes.push({
        image: `${host}/${event.target.repository}`, tag: event.target.tag,
        ...(event.target.digest ? { digest: event.target.digest } : {}),
        ...(event.actor?.name ? { actor: event.actor.name } : {}),
      });
    }
    return { deliveryId: envelope.events.map((event) => event.id).join(','), pushes, ...(pushes.length === 0 ? { ignoredReason: 'no tagged manifest push' } : {}) };
  },
};
