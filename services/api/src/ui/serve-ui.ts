import { existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Where `scripts/build-ui` writes the web UI's built assets. */
export const defaultUiDir = fileURLToPath(new URL('../../../ui/dist/', import.meta.url));

// The UI's own script and styles only; no inline script, no framing (clickjacking), no foreign hosts.
const pageHeaders = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

/** The API's own paths: an unknown one answers the API's JSON 404, never the UI's page. */
const apiPath = (path: string) => path === '/api' || path.startsWith('/api/') || path.startsWith('/auth/') || path === '/healthz';

/**
 * Serves the built web UI at `/`: files of `dir` as they are (hashed assets cached for a year), and `index.html`
 * for any other GET path (the single-page app routes itself). Never shadows `/api`, `/auth` or `/healthz`.
 * Returns false (and serves nothing) when the UI is not built.
 */
export async function registerUi(app: FastifyInstance, dir: string = defaultUiDir): Promise<boolean> {
  if (!existsSync(join(dir, 'index.html'))) return false;
  await app.register(fastifyStatic, { root: dir, serve: false, index: false });
  const fileOf = (urlPath: string): string | undefined => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return undefined;
    }
    const relative = normalize(decoded).replace(/^([/\\])+/, '');
    if (!relative || relative.split(sep).includes('..') || relative.includes('\0')) return undefined;
    const file = join(dir, relative);
    try {
      return statSync(file).isFile() ? relative : undefined;
    } catch {
      return undefined;
    }
  };
  app.get('/*', { schema: { hide: true }, config: { public: true } }, async (request, reply) => {
    const path = request.url.split('?')[0];
    if (apiPath(path)) return reply.code(404).send({ error: 'NotFound', code: 404, message: `no route ${request.method} ${path}` });
    const file = fileOf(path);
    if (file && file !== 'index.html') {
      const immutable = file.startsWith('assets/');
      void reply.header('x-content-type-options', 'nosniff').header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
      return reply.sendFile(file, { cacheControl: false });
    }
    void reply.headers(pageHeaders);
    return reply.sendFile('index.html', { cacheControl: false });
  });
  return true;
}
