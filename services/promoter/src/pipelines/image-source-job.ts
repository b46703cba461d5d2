import { UnrecoverableError, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { imagePoliciesOf, type ImagePolicy, type TidewaterConfig } from '@tidewater/config';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { ImageJob } from '@tidewater/queues';
import type { Logger } from '@tidewater/telemetry';
import { ExternalServiceError } from '../errors/promoter-errors.ts';
import { decideTag } from '../policy/tag-decision.ts';
import type { RegistryClient } from '../registry/registry-client.ts';
import { readSourceArtifact } from './freight.ts';
import type { PipelineEngine } from './pipeline-engine.ts';

export interface ImageSourceJobDeps {
  config: () => TidewaterConfig;
  redis: Redis;
  events: EventPublisher;
  logger: Logger;
  registry: RegistryClient;
  pipelines: Pick<PipelineEngine, 'imageDecided'>;
}

export type ImageSourceJobResult =
  | { outcome: 'freight'; newTag: string; newDigest: string }
  | { outcome: 'unchanged' | 'skipped'; reason: string };

/** Whether an image job's policy is a pipeline `image:` source's derived policy (decided here, never written back). */
export function isImageSourcePolicy(config: TidewaterConfig, policyId: string): boolean {
  return imagePoliciesOf(config).some((policy) => policy.id === policyId && policy.writeBack.method === 'freight');
}

/**
 * An image job for a pipeline's `image:` source (Kargo Warehouse subscription): the pushed (or polled) tag, confirmed
 * in the registry and chosen by the source's selection rule against the source's newest artifact, becomes freight.
 */
export async function processImageSourceJob(deps: ImageSourceJobDeps, job: Job, signal?: AbortSignal): Promise<ImageSourceJobResult> {
  const parsed = ImageJob.safeParse(job.data);
  if (!parsed.success) throw new UnrecoverableError('image job payload is invalid');
  const data = parsed.data;
  const log = deps.logger.child({ jobId: job.id, policy: data.policy, image: data.image, tag: data.tag });
  const config = deps.config();
  const policy = imagePoliciesOf(config).find((candidate) => candidate.id === data.policy);
  const source = policy ? sourceOf(config, policy) : undefined;
  if (!policy || !source) {
    log.info({ reason: 'the pipeline source is no longer configured' }, 'image job skipped');
    return { outcome: 'skipped', reason: 'the pipeline source is no longer configured' };
  }
  const tag = data.tag ?? (policy.strategy === 'digest' ? policy.constraint : undefined);
  if (!tag) return { outcome: 'skipped', reason: 'the push names no tag' };
  if (job.attemptsMade === 0) {
    await deps.events.publish({ type: eventTypes.imageDiscovered, data: { app: data.app, policy: data.policy, image: data.image, tag, ...(data.digest ? { digest: data.digest } : {}), provider: data.source.provider, deliveryId: data.source.deliveryId } });
  }
  try {
    // Docker Distribution notifies before it links the tag: a pushed digest is confirmed by digest, a missing tag retried.
    const digest = await deps.registry.manifestDigest(policy.image, data.digest ?? tag, signal);
    if (!digest) {
      if (data.digest) throw new UnrecoverableError(`${policy.image}@${data.digest} is not in the registry`);
      throw new ExternalServiceError(`${policy.image}:${tag} is not in the registry (yet)`);
    }
    const current = await readSourceArtifact(deps.redis, source.pipeline, source.name);
    const decision = decideTag(policy, { tag, digest }, current?.kind === 'image' ? { tag: current.tag, ...(current.digest ? { digest: current.digest } : {}) } : {});
    if (!decision.update) {
      log.debug({ reason: decision.reason }, 'pipeline source unchanged');
      return { outcome: 'unchanged', reason: decision.reason };
    }
    await deps.pipelines.imageDecided({ policy: policy.id, image: policy.image, tag: decision.tag, digest });
    log.info({ pipeline: source.pipeline, source: source.name, newTag: decision.tag }, 'pipeline source image decided');
    return { outcome: 'freight', newTag: decision.tag, newDigest: digest };
  } catch (error) {
    if (error instanceof UnrecoverableError || error instanceof ExternalServiceError) throw error;
    throw new UnrecoverableError((error as Error).message);
  }
}

function sourceOf(config: TidewaterConfig, policy: ImagePolicy): { pipeline: string; name: string } | undefined {
  for (const pipeline of config.pipelines ?? []) {
    const prefix = `pipeline:${pipeline.name}:`;
    if (!policy.id.startsWith(prefix)) continue;
    const name = policy.id.slice(prefix.length);
    if (pipeline.spec.sources.some((source) => source.name === name && source.image)) return { pipeline: pipeline.name, name };
  }
  return undefined;
}
