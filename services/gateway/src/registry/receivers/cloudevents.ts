import { z } from 'zod';
import { parsePayload } from '../../payloads/parse-payload.ts';
import type { RegistryPush, RegistryReceiver } from '../registry-push.ts';
import { HarborEventData, harborPushes } from './harbor.ts';

/** A structured-mode CloudEvent (`application/cloudevents+json`). */
export const RegistryCloudEvent = z.looseObject({
  specversion: z.literal('1.0'),
  id: z.string().min(1).max(128),
  type: z.string().min(1),
  source: z.string().min(1),
  data: z.unknown(),
  operator: z.string().optional(),
});

const CdEventsArtifact = z.looseObject({ subject: z.looseObject({ id: z.string().min(1) }) });

/** CDEvents `artifact.published`: `subject.id` is a purl `pkg:oci/<name>@sha256:…?repository_url=<host/repo>&tag=<tag>`. */
function cdEventsPushes(data: unknown): RegistryPush[] {
  const { subject } = parsePayload(CdEventsArtifact, data, 'CDEvent');
  const match = /^pkg:oci\/([^@?]+)(?:@(sha256:[0-9a-f]{64}))?(?:\?(.*))?$/.exec(subject.id);
  if (!match) return [];
  const query = new URLSearchParams(match[3] ?? '');
  const tag = query.get('tag');
  const repositoryUrl = query.get('repository_url');
  if (!tag || !repositoryUrl) return [];
  return [{ image: repositoryUrl, tag, ...(match[2] ? { digest: match[2] } : {}) }];
}

/**
 * CloudEvents (structured mode) signed with `X-Signature: sha256=…` like the generic receiver (CloudEvents defines
 * no signature): Harbor's `harbor.artifact.pushed` and CDEvents `dev.cdevents.artifact.published.*`.
 */
export const cloudEventsReceiver: RegistryReceiver = {
  name: 'cloudevents',
  authentication: 'hmac-signature',
  normalise(payload) {
    const event = parsePayload(RegistryCloudEvent, payload, 'CloudEvent');
    let pushes: RegistryPush[] = [];
    if (event.type === 'harbor.artifact.pushed') pushes = harborPushes(parsePayload(HarborEventData, event.data, 'CloudEvent data'), event.operator);
    else if (event.type.startsWith('dev.cdevents.artifact.published.')) pushes = cdEventsPushes(event.data);
    else return { deliveryId: event.id, pushes: [], ignoredReason: 'CloudEvent type is not an image push' };
    return { deliveryId: event.id, pushes, ...(pushes.length === 0 ? { ignoredReason: 'no tagged artifact' } : {}) };
  },
};
