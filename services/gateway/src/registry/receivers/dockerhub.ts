import { z } from 'zod';
import { parsePayload } from '../../payloads/parse-payload.ts';
import type { RegistryReceiver } from '../registry-push.ts';

/** Docker Hub's push webhook. */
export const DockerHubPush = z.looseObject({
  push_data: z.looseObject({ tag: z.string().min(1).max(128), pusher: z.string().optional() }),
  repository: z.looseObject({ repo_name: z.string().min(1) }),
});

/** Docker Hub cannot sign: `POST /webhooks/registry/dockerhub/<receiver token>` (weaker: the URL is the secret). */
export const dockerHubReceiver: RegistryReceiver = {
  name: 'dockerhub',
  authentication: 'url-token',
  normalise(payload) {
    const push = parsePayload(DockerHubPush, payload, 'Docker Hub push');
    return { pushes: [{ image: `docker.io/${push.repository.repo_name}`, tag: push.push_data.tag, ...(push.push_data.pusher ? { actor: push.push_data.pusher } : {}) }] };
  },
};
