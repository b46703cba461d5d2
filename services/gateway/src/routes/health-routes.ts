import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';

const readinessTimeoutMs = 2_000;

/** `/healthz`: the process answers. `/readyz`: Redis answers PING, so webhooks can be queued. */
export function registerHealthRoutes(app: FastifyInstance, deps: { redis: Redis }): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    if (await redisAnswers(deps.redis)) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready', reason: 'redis does not answer' });
  });
}

async function redisAnswers(redis: Redis): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), readinessTimeoutMs);
  });
  try {
    return await Promise.race([redis.ping().then((reply) => reply === 'PONG', () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
