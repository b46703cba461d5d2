// The ingest benchmark's peer: a bare Fastify hello-world that accepts the same POSTs the gateway gets.
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/webhooks/git/github', async (_request, reply) => reply.code(202).send({ hello: 'world' }));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`hello server listening on ${(app.server.address() as AddressInfo).port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
