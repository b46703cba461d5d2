import type { RegistryReceiver, RegistryReceiverName } from '../registry-push.ts';
import { acrReceiver } from './acr.ts';
import { cloudEventsReceiver } from './cloudevents.ts';
import { distributionReceiver } from './distribution.ts';
import { dockerHubReceiver } from './dockerhub.ts';
import { garReceiver } from './gar.ts';
import { genericReceiver } from './generic.ts';
import { githubPackagesReceiver } from './github-packages.ts';
import { harborReceiver } from './harbor.ts';
import { quayReceiver } from './quay.ts';

/** Every registry receiver, by the name in its route (`/webhooks/registry/<name>`). */
export const registryReceivers: Record<RegistryReceiverName, RegistryReceiver> = {
  distribution: distributionReceiver,
  generic: genericReceiver,
  github: githubPackagesReceiver,
  harbor: harborReceiver,
  quay: quayReceiver,
  acr: acrReceiver,
  gar: garReceiver,
  dockerhub: dockerHubReceiver,
  cloudevents: cloudEventsReceiver,
};
