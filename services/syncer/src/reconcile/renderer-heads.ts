import { randomBytes } from 'node:crypto';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ArgoApplication } from '@tidewater/config';
import { HeadsResult, jobCatalogue, queueNames, type HeadsJob } from '@tidewater/queues';
import { injectTraceContext } from '@tidewater/telemetry';
import { ExternalServiceError } from '../errors/external-service-error.ts';

export interface RendererHeadResolver {
  /** The commit the application's targetRevision points at now, as the renderer sees it. */
  (application: ArgoApplication): Promise<string>;
  /** Resolves any repository's ref (sync requests naming a branch or tag). */
  resolve(repoURL: string, targetRevision: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * Asks the renderer (which alone holds Git read credentials) for branch heads over `queueNames.heads` and waits
 * for its answer. The syncer runs no git: this replaces a `git ls-remote` of its own. A full commit SHA is
 * answered without asking. Fails with ExternalServiceError when no renderer answers within `timeoutMs`.
 */
export function createRendererHeadResolver(deps: { connection: Redis; timeoutMs?: number; pollIntervalMs?: number; prefix?: string }): RendererHeadResolver {
  const queue = new Queue(queueNames.heads, { connection: deps.connection, ...(deps.prefix ? { prefix: deps.prefix } : {}) });
  const timeoutMs = deps.timeoutMs ?? 30_000;
  const pollIntervalMs = deps.pollIntervalMs ?? 50;

  async function resolve(repoURL: string, targetRevision: string): Promise<string> {
    if (/^[0-9a-f]{40}$/i.test(targetRevision)) return targetRevision.toLowerCase();
    const data: HeadsJob = { repoURL, targetRevision: targetRevision || 'HEAD', trace: injectTraceContext() };
    const job = await queue.add('heads', data, {
      jobId: `heads:${randomBytes(4).toString('hex')}:${randomBytes(6).toString('hex')}`,
      attempts: jobCatalogue.heads.attempts, removeOnComplete: { age: 60 }, removeOnFail: { age: 600 },
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await queue.getJob(job.id!);
      const state = current ? await current.getState() : 'unknown';
      if (state === 'completed') {
        // Read again: the job may have completed after it was read above, without its return value.
        const parsed = HeadsResult.safeParse((await queue.getJob(job.id!))?.returnvalue);
        if (!parsed.success) throw new Error(`the renderer's answer for ${targetRevision} is not a head`);
        return parsed.data.revision;
      }
      if (state === 'failed') throw new Error((await queue.getJob(job.id!))?.failedReason || `the renderer could not resolve ${targetRevision}`);
      if (Date.now() > deadline) {
        await current?.remove().catch(() => undefined);
        throw new ExternalServiceError('renderer', `no renderer answered the head of ${targetRevision} within ${Math.round(timeoutMs / 1000)} s (is the renderer running?)`);
      }
      await new Promise((done) => setTimeout(done, pollIntervalMs));
    }
  }

  const resolver = ((application: ArgoApplication) => resolve(application.spec.source.repoURL, application.spec.source.targetRevision ?? 'HEAD')) as RendererHeadResolver;
  resolver.resolve = resolve;
  resolver.close = async () => {
    await queue.close();
  };
  return resolver;
}
