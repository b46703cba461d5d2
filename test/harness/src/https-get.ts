import { request } from 'node:https';

export interface HttpsOptions {
  ca?: string;
  token?: string;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}

/** One HTTPS request with a custom CA and bearer token; resolves with status and body. */
export function httpsRequest(url: string, options: HttpsOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolveRequest, reject) => {
    const req = request(url, {
      method: options.method ?? 'GET',
      ca: options.ca,
      headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), ...options.headers },
      timeout: 5_000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveRequest({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${options.method ?? 'GET'} ${url} timed out`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

export const httpsGet = (url: string, options: { ca?: string; token?: string }) => httpsRequest(url, options);
