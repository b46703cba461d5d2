import { imagePoliciesOf, type TidewaterConfig } from '@tidewater/config';
import type { ImageProducer } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { bestTag } from '../policy/tag-decision.ts';
import type { RegistryClient } from '../registry/registry-client.ts';

export interface RegistryPoller {
  /** One pass over every enabled policy: list tags once per image, queue the best tag's job when it is new. */
  pollOnce(): Promise<{ images: number; queued: number }>;
  stop(): void;
}

/**
 * The fallback for registries that send nothing: every `intervalMs` (default 60 s) the tags of each watched image
 * are listed (Link-paginated) and the policy's best tag is queued like a notification would be. A digest already
 * handled is not queued again, so a quiet registry costs one listing and one HEAD per image per interval.
 */
export function createRegistryPoller(deps: {
  config: () => TidewaterConfig;
  registry: RegistryClient;
  producer: ImageProducer;
  logger: Logger;
  intervalMs?: number;
}): RegistryPoller {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  const reported = new Set<string>();

  async function pollOnce(): Promise<{ images: number; queued: number }> {
    const policies = imagePoliciesOf(deps.config()).filter((policy) => policy.disabledReason === undefined);
    const byImage = Map.groupBy(policies, (policy) => policy.image);
    let queued = 0;
    for (const [image, watching] of byImage) {
      try {
        const tags = await deps.registry.listTags(image);
        reported.delete(image);
        for (const policy of watching) {
          const tag = bestTag(policy, tags);
          if (!tag) continue;
          const digest = await deps.registry.manifestDigest(image, tag);
          if (!digest) continue;
          const { added } = await deps.producer.requestImageUpdate({
            policy: policy.id, app: policy.app, image, tag, digest,
            source: { provider: 'registry-poll', deliveryId: `poll-${digest.slice(7, 19)}`, receivedAt: new Date().toISOString() }, trace: {},
          }, { rerunFinished: false });
          if (added) queued += 1;
        }
      } catch (error) {
        // A registry that is down is reported once, until it answers again.
        if (!reported.has(image)) deps.logger.warn({ image, reason: (error as Error).message }, 'registry poll failed');
        reported.add(image);
      }
    }
    return { images: byImage.size, queued };
  }

  const intervalMs = deps.intervalMs ?? 60_000;
  if (intervalMs > 0) {
    timer = setInterval(() => {
      running ??= pollOnce().finally(() => {
        running = undefined;
      });
    }, intervalMs);
    timer.unref();
  }
  return {
    pollOnce,
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
