import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredFreight, StoredStageState } from '@tidewater/queues';
import { createCelEvaluator } from './cel-evaluator.ts';
import { evaluateGate, type GateContext } from './gates.ts';

const freight: StoredFreight = {
  id: 'a'.repeat(64), alias: 'brave-otter-aaaa', pipeline: 'p', createdAt: '2026-11-01T00:00:00.000Z', source: 'app',
  images: [{ repoURL: 'registry.test/app', tag: '1.2.0' }], commits: [{ repoURL: 'https://git.test/app.git', id: 'c'.repeat(40) }], charts: [],
};

describe('gates', () => {
  let server: Server;
  let url: string;
  const prometheusValue = { current: '0.01' };
  const seenHeaders: Array<string | undefined> = [];

  beforeAll(async () => {
    // A local HTTP server answering like a health endpoint and like Prometheus' /api/v1/query.
    server = createServer((request, response) => {
      seenHeaders.push(request.headers['x-check-token'] as string | undefined);
      if (request.url?.startsWith('/api/v1/query')) {
        const query = new URL(request.url, 'http://x').searchParams.get('query');
        response.setHeader('content-type', 'application/json');
        return response.end(JSON.stringify(query === 'none'
          ? { status: 'success', data: { resultType: 'vector', result: [] } }
          : { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1_700_000_000, prometheusValue.current] }] } }));
      }
      response.statusCode = request.url === '/healthy' ? 200 : 503;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const upstreamState = (state: Partial<StoredStageState>): StoredStageState => ({ waiting: [], ...state });
  const context = (overrides: Partial<GateContext> = {}): GateContext => ({
    freight, upstream: [], commitStatuses: [], now: Date.parse('2026-11-01T01:00:00.000Z'), fetch: globalThis.fetch, ...overrides,
  });

  it('http: passes on a 2xx (or the expected statuses), fails naming the status; headers come from a secret reference', async () => {
    const env = { TIDEWATER_SECRET_CHECK_HEADERS: 'X-Check-Token: s3cret' };
    expect(await evaluateGate({ type: 'http', url: `${url}/healthy`, headersFrom: { env: 'TIDEWATER_SECRET_CHECK_HEADERS' } }, context({ env }))).toMatchObject({ passed: true, reason: `GET ${url}/healthy answered 200` });
    expect(seenHeaders.at(-1)).toBe('s3cret');
    const failed = await evaluateGate({ type: 'http', url: `${url}/broken` }, context());
    expect(failed).toEqual({ passed: false, reason: `GET ${url}/broken answered 503 (expected 2xx)` });
    expect((await evaluateGate({ type: 'http', url: `${url}/broken`, expectStatus: [503] }, context())).passed).toBe(true);
    expect((await evaluateGate({ type: 'http', url: 'http://127.0.0.1:1/nothing', timeout: '2s' }, context())).passed).toBe(false);
  });

  it('prometheus: the first sample compared with the threshold; no sample fails', async () => {
    const gate = { type: 'prometheus' as const, url, query: 'rate(errors[5m])', comparison: '<' as const, threshold: 0.05 };
    expect(await evaluateGate(gate, context())).toEqual({ passed: true, reason: 'query = 0.01 < 0.05' });
    prometheusValue.current = '0.2';
    expect(await evaluateGate(gate, context())).toEqual({ passed: false, reason: 'query = 0.2 not < 0.05' });
    expect(await evaluateGate({ ...gate, query: 'none' }, context())).toEqual({ passed: false, reason: 'the query returned no sample' });
  });

  it('soak counts from the health observation after the promotion in the upstream stage, and says when to look again', async () => {
    const healthySince = '2026-11-01T00:59:30.000Z';
    const upstream = [{ name: 'dev', state: upstreamState({ currentFreight: freight.id, healthySince }), apps: [] }];
    const waiting = await evaluateGate({ type: 'soak', duration: '1m' }, context({ upstream }));
    expect(waiting).toEqual({ passed: false, reason: 'soaking in dev: 30s of 1m left', recheckAt: Date.parse('2026-11-01T01:00:30.000Z') });
    expect((await evaluateGate({ type: 'soak', duration: '30s' }, context({ upstream }))).passed).toBe(true);
    const notThere = [{ name: 'dev', state: upstreamState({ currentFreight: 'b'.repeat(64), healthySince }), apps: [] }];
    expect((await evaluateGate({ type: 'soak', duration: '1s' }, context({ upstream: notThere }))).passed).toBe(false);
  });

  it('commitStatus: the newest status of the key for the freight or its commits decides', async () => {
    const status = (state: 'pending' | 'success' | 'failure', at: string, subject = freight.id) => ({ key: 'ci', subject, state, at });
    expect((await evaluateGate({ type: 'commitStatus', key: 'ci' }, context())).reason).toBe('no ci commit status for brave-otter-aaaa yet');
    expect((await evaluateGate({ type: 'commitStatus', key: 'ci' }, context({ commitStatuses: [status('failure', '1'), status('success', '2', 'c'.repeat(40))] }))).passed).toBe(true);
    expect((await evaluateGate({ type: 'commitStatus', key: 'ci' }, context({ commitStatuses: [status('success', '1'), status('failure', '2')] }))).passed).toBe(false);
    expect((await evaluateGate({ type: 'commitStatus', key: 'ci' }, context({ commitStatuses: [status('success', '3', 'd'.repeat(40))] }))).passed).toBe(false);
  });

  it('expression: CEL per upstream Application with every stage status; an evaluation error fails the gate with it', async () => {
    const evaluateExpression = createCelEvaluator();
    const devState = upstreamState({ currentFreight: freight.id, verifiedAt: '2026-11-01T00:59:00.000Z', healthySince: '2026-11-01T00:58:00.000Z' });
    const upstream = [{ name: 'dev', state: devState, apps: [{ app: 'web-dev', health: 'Healthy', syncPhase: 'Succeeded' }, { app: 'api-dev', health: 'Degraded', syncPhase: 'Succeeded' }] }];
    const base = context({ upstream, stages: [{ name: 'dev', state: devState }], stage: 'staging', evaluateExpression });
    expect(await evaluateGate({ type: 'expression', expression: "dev.status == 'Succeeded' && stage == 'staging'" }, base)).toMatchObject({ passed: true });
    expect(await evaluateGate({ type: 'expression', expression: "app.status.health.status == 'Healthy'" }, base)).toEqual({ passed: false, reason: "app.status.health.status == 'Healthy' is false for api-dev" });
    expect(await evaluateGate({ type: 'expression', expression: "freight.images[0].tag == '1.2.0'" }, base)).toMatchObject({ passed: true });
    const broken = await evaluateGate({ type: 'expression', expression: 'nope.status == 1' }, base);
    expect(broken.passed).toBe(false);
    expect(broken.reason).toContain('nope.status == 1:');
  });
});
