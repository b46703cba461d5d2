import { z } from 'zod';
import { parsePayload } from '../../payloads/parse-payload.ts';
import type { RegistryPush, RegistryReceiver } from '../registry-push.ts';

export const HarborEventData = z.looseObject({
  resources: z.array(z.looseObject({ digest: z.string().optional(), tag: z.string().optional(), resource_url: z.string().optional() })).max(100),
  repository: z.looseObject({ name: z.string().optional(), namespace: z.string().optional(), repo_full_name: z.string().optional() }).optional(),
});

/** Harbor's default webhook format: `{type: "PUSH_ARTIFACT", occur_at, operator, event_data}`. */
export const HarborEvent = z.looseObject({ type: z.string(), operator: z.string().optional(), event_data: HarborEventData });

/** `hostname/project/repo:tag` → `hostname/project/repo`. */
function imageOfResourceUrl(resourceUrl: string): string {
  const at = resourceUrl.indexOf('@');
  const withoutDigest = at >= 0 ? resourceUrl.slice(0, at) : resourceUrl;
  const lastSlash = withoutDigest.lastIndexOf('/');
  const lastColon = withoutDigest.lastIndexOf(':');
  return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

/** Pushes of a Harbor artifact event's data (shared with Harbor's CloudEvents `harbor.artifact.pushed`). */
export function harborPushes(data: z.infer<typeof HarborEventData>, actor: string | undefined): RegistryPush[] {
  return data.resources.flatMap((resource) => {
    if (!resource.tag || !resource.resource_url) return [];
    const digest = resource.digest && /^sha256:[0-9a-f]{64}$/.test(resource.digest) ? resource.digest : undefined;
    return [{ image: imageOfResourceUrl(resource.resource_url), tag: resource.tag, ...(digest ? { digest } : {}), ...(actor ? { actor } : {}) }];
  });
}

/** Harbor: the webhook policy's "Auth Header" set to `Bearer <receiver token>`. */
export const harborReceiver: RegistryReceiver = {
  name: 'harbor',
  authentication: 'bearer-header',
  normalise(payload) {
    const event = parsePayload(HarborEvent, payload, 'Harbor event');
    if (event.type !== 'PUSH_ARTIFACT' && event.type !== 'pushImage') return { pushes: [], ignoredReason: `Harbor event ${event.type.slice(0, 64)} is not a push` };
    const pushes = harborPushes(event.event_data, event.operator);
    return { pushes, ...(pushes.length === 0 ? { ignoredReason: 'no tagged artifact' } : {}) };
  },
};
