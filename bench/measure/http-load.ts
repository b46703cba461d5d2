import autocannon from 'autocannon';
import { percentile } from './percentiles.ts';

export interface LoadOptions {
  /** Base URL of the server, e.g. `http://127.0.0.1:8080`. */
  url: string;
  path: string;
  connections: number;
  durationSeconds: number;
  /** Body and headers of the next request; called once per request, so each can differ (delivery ids, signatures). */
  nextRequest: () => { body?: string; headers: Record<string, string> };
  /** Default POST. */
  method?: 'GET' | 'POST';
}

export interface LoadResult {
  durationSeconds: number;
  /** 2xx responses per second. */
  rps: number;
  ok: number;
  notOk: number;
  errors: number;
  timeouts: number;
  /** Latencies of 2xx responses, in ms (autocannon's own histogram keeps whole ms; these keep the fraction). */
  p50Ms: number;
  p99Ms: number;
  statusCodes: Record<string, number>;
}

/**
 * Keep-alive HTTP load (POST unless `method` says GET) with autocannon: `connections` connections, one request in flight on each
 * (no pipelining), for `durationSeconds`. Only 127.0.0.1 targets are accepted.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const target = new URL(options.url);
  if (target.hostname !== '127.0.0.1' && target.hostname !== 'localhost') throw new Error(`load is only sent to 127.0.0.1, not ${target.hostname}`);
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  let ok = 0;
  let notOk = 0;
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon({
      url: options.url,
      connections: options.connections,
      duration: options.durationSeconds,
      pipelining: 1,
      timeout: 10,
      requests: [{
        method: options.method ?? 'POST',
        path: options.path,
        setupRequest: (request) => {
          const next = options.nextRequest();
          return { ...request, method: options.method ?? 'POST', path: options.path, ...(next.body === undefined ? {} : { body: next.body }), headers: next.headers };
        },
      }],
    }, (error, finished) => (error ? reject(error) : resolve(finished)));
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
      if (statusCode >= 200 && statusCode < 300) {
        ok += 1;
        latencies.push(responseTime);
      } else {
        notOk += 1;
      }
    });
  });
  return {
    durationSeconds: result.duration,
    rps: ok / result.duration,
    ok,
    notOk,
    errors: result.errors,
    timeouts: result.timeouts,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    statusCodes,
  };
}
