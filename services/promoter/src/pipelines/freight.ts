import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import { parseStored, pipelineKeys, StoredFreight } from '@tidewater/queues';

/** One artifact a source produced: an image (tag + digest), a Git commit or a chart version. */
export type SourceArtifact =
  | { kind: 'image'; source: string; repoURL: string; tag: string; digest?: string }
  | { kind: 'commit'; source: string; repoURL: string; id: string; branch?: string; message?: string; author?: string }
  | { kind: 'chart'; source: string; repoURL: string; name: string; version: string };

/** The promoter's own record of each source's newest artifact (the freight of the next change combines them). */
const sourceArtifactsKey = (pipeline: string) => `tidewater:promoter:pipeline:${pipeline}:source-artifacts`;

const adjectives = [
  'brave', 'calm', 'clever', 'eager', 'fancy', 'gentle', 'happy', 'jolly', 'keen', 'lively', 'lucky', 'merry', 'nimble', 'proud', 'quick', 'quiet',
  'rapid', 'shiny', 'silent', 'smart', 'snowy', 'steady', 'sunny', 'swift', 'tidy', 'vivid', 'warm', 'wise', 'witty', 'zesty', 'bold', 'bright',
];
const animals = [
  'otter', 'badger', 'beaver', 'bison', 'crane', 'dolphin', 'eagle', 'falcon', 'ferret', 'gecko', 'heron', 'ibis', 'jaguar', 'koala', 'lemur', 'lynx',
  'marten', 'narwhal', 'ocelot', 'orca', 'panda', 'puffin', 'quail', 'raven', 'salmon', 'seal', 'tapir', 'tern', 'walrus', 'wombat', 'yak', 'zebra',
];

/** What a freight's identity is made of, in one canonical order: the same artifacts are the same freight. */
export function canonicalArtifacts(artifacts: readonly SourceArtifact[]): string {
  const images = artifacts.filter((artifact) => artifact.kind === 'image')
    .map((image) => ({ repoURL: image.repoURL, tag: image.tag, digest: image.digest ?? null })).sort((a, b) => a.repoURL.localeCompare(b.repoURL));
  const commits = artifacts.filter((artifact) => artifact.kind === 'commit')
    .map((commit) => ({ repoURL: commit.repoURL, id: commit.id })).sort((a, b) => a.repoURL.localeCompare(b.repoURL));
  const charts = artifacts.filter((artifact) => artifact.kind === 'chart')
    .map((chart) => ({ repoURL: chart.repoURL, name: chart.name, version: chart.version })).sort((a, b) => `${a.repoURL} ${a.name}`.localeCompare(`${b.repoURL} ${b.name}`));
  return JSON.stringify({ images, commits, charts });
}

/** sha256 (hex) of the canonical artifacts. */
export function freightId(artifacts: readonly SourceArtifact[]): string {
  return createHash('sha256').update(canonicalArtifacts(artifacts)).digest('hex');
}

/** A short human name derived from the id (`brave-otter-3f2a`): stable, and distinct enough to say aloud. */
export function freightAlias(id: string): string {
  const adjective = adjectives[Number.parseInt(id.slice(0, 2), 16) % adjectives.length];
  const animal = animals[Number.parseInt(id.slice(2, 4), 16) % animals.length];
  return `${adjective}-${animal}-${id.slice(4, 8)}`;
}

/** The newest artifact recorded for one source of a pipeline (undefined before the first). */
export async function readSourceArtifact(redis: Redis, pipeline: string, source: string): Promise<SourceArtifact | undefined> {
  const raw = await redis.hget(sourceArtifactsKey(pipeline), source);
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as SourceArtifact;
  } catch {
    return undefined;
  }
}

export interface FreightCreation {
  freight: StoredFreight;
  created: boolean;
}

/**
 * Records a source's new artifact and the freight it makes with the newest artifact of every other source. A freight
 * is immutable and content-addressed: the same artifacts again give the existing freight (created false, no event).
 */
export async function recordArtifact(deps: { redis: Redis; events: EventPublisher }, pipeline: string, artifact: SourceArtifact, actor?: string): Promise<FreightCreation> {
  await deps.redis.hset(sourceArtifactsKey(pipeline), artifact.source, JSON.stringify(artifact));
  const stored = await deps.redis.hgetall(sourceArtifactsKey(pipeline));
  const artifacts = Object.values(stored).flatMap((raw) => {
    try {
      return [JSON.parse(raw) as SourceArtifact];
    } catch {
      return [];
    }
  });
  const id = freightId(artifacts);
  const existing = parseStored(StoredFreight, await deps.redis.get(pipelineKeys.freight(pipeline, id)));
  if (existing) return { freight: existing, created: false };
  const freight: StoredFreight = {
    id, alias: freightAlias(id), pipeline, createdAt: new Date().toISOString(), source: artifact.source,
    images: artifacts.flatMap((item) => item.kind === 'image' ? [{ source: item.source, repoURL: item.repoURL, tag: item.tag, ...(item.digest ? { digest: item.digest } : {}) }] : []),
    commits: artifacts.flatMap((item) => item.kind === 'commit' ? [{
      source: item.source, repoURL: item.repoURL, id: item.id, ...(item.branch ? { branch: item.branch } : {}),
      ...(item.message ? { message: item.message } : {}), ...(item.author ? { author: item.author } : {}),
    }] : []),
    charts: artifacts.flatMap((item) => item.kind === 'chart' ? [{ source: item.source, repoURL: item.repoURL, name: item.name, version: item.version }] : []),
    ...(actor ? { actor } : {}),
  };
  // SET NX: two replicas making the same freight write it once; only the writer announces it.
  const written = await deps.redis.set(pipelineKeys.freight(pipeline, id), JSON.stringify(freight), 'NX');
  if (written !== 'OK') return { freight: parseStored(StoredFreight, await deps.redis.get(pipelineKeys.freight(pipeline, id))) ?? freight, created: false };
  await deps.redis.zadd(pipelineKeys.freightIndex(pipeline), Date.parse(freight.createdAt), id);
  await deps.events.publish({
    type: eventTypes.freightCreated, subject: pipeline,
    data: { pipeline, freight: id, alias: freight.alias, reason: `new artifact from source ${artifact.source}`, ...(actor ? { actor } : {}) },
  });
  return { freight, created: true };
}
