import { imagePoliciesOf, type ImagePolicy, type TidewaterConfig } from '@tidewater/config';

/** Tags tried, best first, for a policy with `platforms` before the poll gives up until the next interval. */
const platformCandidates = 5;
import type { ImageProducer } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { missingPlatforms, rankedTags } from '../policy/tag-decision.ts';
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
          const choice = await bestQualifyingTag(policy, image, tags);
          if (!choice) continue;
          const { tag, digest } = choice;
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

  /**
   * The best tag by the policy's order whose manifest exists and, with `platforms`, offers them all: a newer tag built
   * for too few platforms does not hide an older one that qualifies (at most `platformCandidates` are looked at).
   */
  async function bestQualifyingTag(policy: ImagePolicy, image: string, tags: readonly string[]): Promise<{ tag: string; digest: string } | undefined> {
    const ranked = rankedTags(policy, tags);
    for (const tag of policy.platforms.length > 0 ? ranked.slice(0, platformCandidates) : ranked.slice(0, 1)) {
      const digest = await deps.registry.manifestDigest(image, tag);
      if (!digest) continue;
      if (policy.platforms.length > 0 && missingPlatforms(policy, await deps.registry.manifestPlatforms(image, digest)).length > 0) continue;
      return { tag, digest };
    }
    return undefined;
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
