import { z } from 'zod';
import { parsePayload } from '../../payloads/parse-payload.ts';
import type { RegistryReceiver } from '../registry-push.ts';

/** Quay's "Repository Push" notification. */
export const QuayRepositoryPush = z.looseObject({
  repository: z.string().min(1),
  docker_url: z.string().min(1),
  updated_tags: z.array(z.string().min(1).max(128)).max(100),
});

/** Quay cannot sign: `POST /webhooks/registry/quay/<receiver token>` (weaker: the URL is the secret). */
export const quayReceiver: RegistryReceiver = {
  name: 'quay',
  authentication: 'url-token',
  normalise(payload) {
    const push = parsePayload(QuayRepositoryPush, payload, 'Quay notification');
    return { pushes: push.updated_tags.map((tag) => ({ image: push.docker_url, tag })) };
  },
};
