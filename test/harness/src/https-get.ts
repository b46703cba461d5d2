import { request } from 'node:https';

/** GET over HTTPS with a custom CA and bearer token; resolves with status and body. */
export function httpsGet(url: string, { ca, token }: { ca?: string; token?: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = request(url, {
      method: 'GET',
      ca,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      timeout: 5_000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}
