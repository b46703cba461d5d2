import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import { createEventPublisher } from '@tidewater/events';
import { createProducers, generateBundleSigningKey, redisKeys, signBundle, type KubernetesObject, type RenderedBundle, type SyncResult } from '@tidewater/queues';
import { createClusterRegistry, createSyncer, type ClusterRegistry, type Syncer, type SyncJobOutcome } from '@tidewater/syncer';
import { createLogger } from '@tidewater/telemetry';

export interface QueuedSyncer {
  syncer: Syncer;
  clusters: ClusterRegistry;
  /**
   * Stores a bundle for (app, revision) (the renderer's part, not timed), then times requestSync → the worker's
   * `completed` event; throws unless the sync Succeeded.
   */
  sync(input: { app: string; revision: string; repoURL: string; path: string; objects: KubernetesObject[] }): Promise<{ ms: number; result: SyncResult }>;
  /** Stops the worker, the producers and the cluster connections (the Redis connections stay the caller's). */
  close(): Promise<void>;
}

/** The syncer as shipped, driven through the real sync queue, as the apply and drift benchmarks use it. */
export function startQueuedSyncer(deps: { config: () => TidewaterConfig; producerConnection: Redis; workerConnection: Redis }): QueuedSyncer {
  const { producerConnection } = deps;
  const clusters = createClusterRegistry(deps.config);
  const producers = createProducers({ connection: producerConnection });
  const bundleSigningKey = generateBundleSigningKey();
  const syncer = createSyncer({
    config: deps.config, redis: deps.workerConnection, clusters, bundleSigningKey,
    events: createEventPublisher({ redis: producerConnection, source: '/tidewater/syncer' }),
    logger: createLogger('syncer', { level: process.env.TIDEWATER_LOG_LEVEL ?? 'warn' }),
  });
  const finished = new Map<string, { resolve: (result: SyncResult) => void; reject: (error: Error) => void }>();
  syncer.worker.on('completed', (job, outcome: SyncJobOutcome) => {
    if ('superseded' in outcome) finished.get(job.id ?? '')?.reject(new Error(`sync ${job.id} was superseded`));
    else finished.get(job.id ?? '')?.resolve(outcome);
  });
  syncer.worker.on('failed', (job, error) => finished.get(job?.id ?? '')?.reject(error));

  return {
    syncer,
    clusters,
    async sync({ app, revision, repoURL, path, objects }) {
      const bundleKey = redisKeys.bundle(`${app}:${revision}`);
      const bundle: RenderedBundle = { app, repoURL, revision, path, objects, renderedAt: new Date().toISOString(), renderer: 'directory' };
      await producerConnection.set(bundleKey, JSON.stringify(signBundle(bundle, bundleSigningKey)));
      await producerConnection.set(redisKeys.desiredRevision(app), JSON.stringify({ revision, at: new Date().toISOString() }));
      const start = performance.now();
      const done = new Promise<SyncResult>((resolve, reject) => finished.set(`sync:${app}:${revision}`, { resolve, reject }));
      const { added } = await producers.requestSync({ app, revision, bundleKey, trigger: { kind: 'manual', actor: 'bench' }, trace: {} });
      if (!added) throw new Error(`sync of ${app} at ${revision} was not queued`);
      const result = await done;
      const ms = performance.now() - start;
      if (result.phase !== 'Succeeded') throw new Error(`sync of ${app} ${result.phase}: ${result.message}`);
      return { ms, result };
    },
    async close() {
      await syncer.close();
      await producers.close();
      clusters.close();
    },
  };
}
