import { UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TidewaterConfig } from '@tidewater/config';
import { HeadsJob, queueNames, type HeadsResult } from '@tidewater/queues';
import { withSpan, type Logger } from '@tidewater/telemetry';
import { resolveHead } from './resolve-head.ts';

export interface HeadsWorkerDeps {
  config: () => TidewaterConfig;
  /** A worker connection; the caller closes it. */
  redis: Redis;
  logger: Logger;
  cacheDir: string;
  /** Requests answered at once (default 4). */
  concurrency?: number;
  /** BullMQ prefix (tests). */
  prefix?: string;
}

export interface HeadsWorker {
  worker: Worker;
  close(): Promise<void>;
}

/**
 * Answers branch-head requests (`queueNames.heads`): the syncer's reconcile loop and sync requests ask the renderer,
 * which alone holds Git read credentials, what commit a branch or tag points at now. The job's return value is the
 * HeadsResult; a failure's message names the repository (without credentials) and the ref.
 */
export function createHeadsWorker(deps: HeadsWorkerDeps): HeadsWorker {
  const logger = deps.logger.child({ worker: 'heads' });
  const worker = new Worker<unknown, HeadsResult>(queueNames.heads, async (job) => {
    const parsed = HeadsJob.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid heads job ${job.id}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`).join('; ')}`);
    const request = parsed.data;
    return withSpan('heads', { carrier: request.trace, kind: 'consumer' }, async () => {
      const revision = await resolveHead(request, { repositories: deps.config().repositories, cacheDir: deps.cacheDir });
      logger.debug({ targetRevision: request.targetRevision, revision }, 'branch head resolved');
      return { repoURL: request.repoURL, targetRevision: request.targetRevision, revision };
    });
  }, { connection: deps.redis, concurrency: deps.concurrency ?? 4, ...(deps.prefix ? { prefix: deps.prefix } : {}) });
  worker.on('error', (error) => logger.error({ reason: error.message }, 'heads worker error'));
  return {
    worker,
    async close() {
      await worker.close();
    },
  };
}
