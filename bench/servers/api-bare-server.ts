// The api benchmark's peer: a bare Fastify server answering the API's two GET routes with the same JSON, from memory.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';

const list = readFileSync(process.env.BARE_LIST_FILE as string, 'utf8');
const one = readFileSync(process.env.BARE_GET_FILE as string, 'utf8');
const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));
app.get('/api/v1/applications', async (_request, reply) => reply.type('application/json').send(list));
app.get('/api/v1/applications/:name', async (_request, reply) => reply.type('application/json').send(one));
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
console.log(`bare api server listening on ${(app.server.address() as AddressInfo).port}`);
process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
