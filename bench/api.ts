import { writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisKeys } from '@tidewater/queues';
import { setAccountPassword } from '@tidewater/api';
import { freePort, makeWorkDir, repoRoot, startRedis } from '../test/harness/src/index.ts';
import { startChildServer, type ChildServer } from './measure/child-server.ts';
import { runLoad, type LoadResult } from './measure/http-load.ts';
import { machineLine } from './measure/machine.ts';
import { fixed, printTable } from './measure/table.ts';

export const description = 'operator API: list of 1,000 applications and get one, authenticated, vs a bare Fastify route serving the same JSON';

const applications = Number(process.env.BENCH_APPS ?? 1_000);
const durationSeconds = Number(process.env.BENCH_DURATION_S ?? 10);
const warmupSeconds = Number(process.env.BENCH_WARMUP_S ?? 2);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 10);
const appName = (index: number) => `app-${String(index).padStart(4, '0')}`;

/**
 * 1,000 Applications in 10 projects with a sync result and health each in Redis; the API (its own process, real
 * authentication with an API token, RBAC, zod serialization) against a bare Fastify server returning the same bytes.
 */
export async function run(): Promise<void> {
  const work = makeWorkDir('bench-api');
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.url);
  const started: ChildServer[] = [];
  try {
    console.log(machineLine());
    const configDir = join(work.dir, 'config');
    writeConfig(configDir);
    await seedState(redis);
    await setAccountPassword(redis, 'admin', 'bench-admin-password');
    const api = await startChildServer({
      entry: join(repoRoot, 'services/api/src/main.ts'), port: await freePort(), logFile: join(work.dir, 'api.log'), readyPath: '/healthz',
      env: { TIDEWATER_CONFIG: configDir, REDIS_URL: redisServer.url, HOST: '127.0.0.1', TIDEWATER_LOG_LEVEL: 'warn', TIDEWATER_STATE_DIR: join(work.dir, 'state') },
    });
    started.push(api);
    const session = await (await fetch(`${api.url}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'bench-admin-password' }) })).json() as { token: string };
    const created = await (await fetch(`${api.url}/api/v1/account/bench/token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` }, body: '{}' })).json() as { token: string };
    const headers = { authorization: `Bearer ${created.token}` };
    const target = appName(Math.floor(applications / 2));
    const listBody = await (await fetch(`${api.url}/api/v1/applications`, { headers })).text();
    const getBody = await (await fetch(`${api.url}/api/v1/applications/${target}`, { headers })).text();
    const listed = (JSON.parse(listBody) as { items: unknown[] }).items.length;
    if (listed !== applications) throw new Error(`the API listed ${listed} applications, expected ${applications}`);
    writeFileSync(join(work.dir, 'list.json'), listBody);
    writeFileSync(join(work.dir, 'get.json'), getBody);
    const bare = await startChildServer({
      entry: join(repoRoot, 'bench/servers/api-bare-server.ts'), port: await freePort(), logFile: join(work.dir, 'bare.log'), readyPath: '/healthz',
      env: { BARE_LIST_FILE: join(work.dir, 'list.json'), BARE_GET_FILE: join(work.dir, 'get.json') },
    });
    started.push(bare);
    console.log(`api: ${applications} applications (list body ${(listBody.length / 1024).toFixed(0)} KiB, get body ${(getBody.length / 1024).toFixed(1)} KiB), `
      + `${connections} connections, ${durationSeconds} s measured after ${warmupSeconds} s warm-up; redis ${redisServer.backend}`);

    const measure = async (url: string, path: string): Promise<LoadResult> => {
      const options = { url, path, connections, method: 'GET' as const, nextRequest: () => ({ headers }) };
      if (warmupSeconds > 0) await runLoad({ ...options, durationSeconds: warmupSeconds });
      return runLoad({ ...options, durationSeconds });
    };
    const rows: Array<[string, LoadResult]> = [
      ['tidewater api  GET /api/v1/applications', await measure(api.url, '/api/v1/applications')],
      ['bare fastify   GET /api/v1/applications', await measure(bare.url, '/api/v1/applications')],
      [`tidewater api  GET /api/v1/applications/${target}`, await measure(api.url, `/api/v1/applications/${target}`)],
      [`bare fastify   GET /api/v1/applications/${target}`, await measure(bare.url, `/api/v1/applications/${target}`)],
    ];
    printTable(['server and route', 'req/s (2xx)', 'p50 ms', 'p99 ms', '2xx', 'other', 'errors'],
      rows.map(([name, load]) => [name, fixed(load.rps, 0), fixed(load.p50Ms, 2), fixed(load.p99Ms, 2), load.ok, load.notOk, load.errors]));
    const [apiList, bareList, apiGet, bareGet] = rows.map(([, load]) => load);
    const getRatio = apiGet.rps / bareGet.rps;
    console.log(`list ratio to bare: ${fixed(apiList.rps / bareList.rps, 2)}; targets: list p99 <= 50 ms (${apiList.p99Ms <= 50 ? 'met' : 'missed'}), get >= 0.5x bare (${getRatio >= 0.5 ? 'met' : 'missed'})`);
    console.log(`BENCH api list_p99_ms=${fixed(apiList.p99Ms, 2)} list_p50_ms=${fixed(apiList.p50Ms, 2)} get_ratio=${fixed(getRatio, 3)} get_p99_ms=${fixed(apiGet.p99Ms, 2)} list_rps=${fixed(apiList.rps, 0)} get_rps=${fixed(apiGet.rps, 0)}`);
  } finally {
    for (const server of started) await server.stop();
    redis.disconnect();
    await redisServer.stop();
    work.remove();
  }
}

/** 1,000 Applications over 10 projects, the account `bench` (apiKey) and readers of every app. */
function writeConfig(configDir: string): void {
  mkdirSync(configDir, { recursive: true });
  const documents: string[] = [];
  for (let project = 0; project < 10; project += 1) {
    documents.push(['apiVersion: argoproj.io/v1alpha1', 'kind: AppProject', `metadata: {name: team-${project}}`, 'spec:', "  sourceRepos: ['*']", "  destinations: [{server: '*', namespace: '*'}]"].join('\n'));
  }
  for (let index = 0; index < applications; index += 1) {
    documents.push([
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${appName(index)}, namespace: argocd, labels: {team: team-${index % 10}}}`, 'spec:',
      `  project: team-${index % 10}`, '  source:', '    repoURL: https://git.example.com/org/gitops.git', '    targetRevision: main', `    path: apps/${appName(index)}`,
      '  destination:', '    server: https://kubernetes.default.svc', `    namespace: ${appName(index)}`, '  syncPolicy: {automated: {prune: true}}',
    ].join('\n'));
  }
  documents.push(['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: argocd-cm}', 'data:', '  accounts.bench: apiKey'].join('\n'));
  documents.push(['apiVersion: v1', 'kind: ConfigMap', 'metadata: {name: argocd-rbac-cm}', 'data:', '  policy.csv: |', '    g, bench, role:readonly'].join('\n'));
  writeFileSync(join(configDir, 'apps.yaml'), `${documents.join('\n---\n')}\n`);
}

/** A Succeeded sync of 3 objects and Healthy health for each app, as the syncer records them. */
async function seedState(redis: Redis): Promise<void> {
  const pipeline = redis.pipeline();
  for (let index = 0; index < applications; index += 1) {
    const app = appName(index);
    const objects = [
      { group: 'apps', kind: 'Deployment', namespace: app, name: 'web' },
      { group: '', kind: 'Service', namespace: app, name: 'web' },
      { group: '', kind: 'ConfigMap', namespace: app, name: 'settings' },
    ];
    pipeline.set(redisKeys.syncStatus(app), JSON.stringify({
      app, revision: 'c'.repeat(40), phase: 'Succeeded', startedAt: '2030-01-01T00:00:00Z', finishedAt: '2030-01-01T00:00:01Z', durationMs: 900,
      objects: objects.map((object) => ({ ...object, outcome: 'configured' })), trigger: { kind: 'webhook', actor: 'Dana Dev' },
    }));
    pipeline.set(redisKeys.appHealth(app), JSON.stringify({ app, status: 'Healthy', objects: objects.map((object) => ({ ...object, status: 'Healthy' })), updatedAt: '2030-01-01T00:00:02Z' }));
  }
  await pipeline.exec();
}
