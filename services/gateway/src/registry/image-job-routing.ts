import { imagePoliciesOf, normaliseImageName, policiesWatching, type TidewaterConfig } from '@tidewater/config';
import type { ImageJob, ImageProducer } from '@tidewater/queues';
import type { RegistryPush } from './registry-push.ts';

export interface QueuedImageJob {
  jobId: string;
  policy: string;
  app: string;
  image: string;
  tag?: string;
  added: boolean;
}

/** Normalised image name → the enabled policies watching it; tags and digests come from the push. */
export function policiesForPush(config: TidewaterConfig, push: RegistryPush): ReturnType<typeof policiesWatching> {
  return policiesWatching(config, push.image);
}

/** Whether any policy (enabled or not) watches the image: a disabled one is worth a line saying why nothing happens. */
export function disabledPoliciesFor(config: TidewaterConfig, push: RegistryPush): Array<{ id: string; reason: string }> {
  const image = normaliseImageName(push.image);
  return imagePoliciesOf(config).flatMap((policy) => (policy.image === image && policy.disabledReason ? [{ id: policy.id, reason: policy.disabledReason }] : []));
}

/** One image job per push and policy watching its repository. */
export async function queueImageJobs(deps: {
  config: TidewaterConfig;
  producer: ImageProducer;
  pushes: readonly RegistryPush[];
  source: ImageJob['source'];
  trace: Record<string, string>;
}): Promise<QueuedImageJob[]> {
  const requests = deps.pushes.flatMap((push) => policiesForPush(deps.config, push).map((policy) => ({ push, policy })));
  return Promise.all(requests.map(async ({ push, policy }) => {
    const image = normaliseImageName(push.image);
    const { jobId, added } = await deps.producer.requestImageUpdate({
      policy: policy.id, app: policy.app, image,
      ...(push.tag ? { tag: push.tag } : {}), ...(push.digest ? { digest: push.digest } : {}),
      source: deps.source, trace: deps.trace,
    });
    return { jobId, policy: policy.id, app: policy.app, image, ...(push.tag ? { tag: push.tag } : {}), added };
  }));
}
