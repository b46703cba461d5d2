import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { redisKeys } from '@tidewater/queues';
import { setAccountPassword } from '@tidewater/api';
import { freePort, makeWorkDir, repoRoot, startRedis } from '../test/harness/src/index.ts';
import { buildUi, chromiumAvailable, chromiumPath, launchChromium, screenshot } from '../test/ui/support/browser.ts';
import { startChildServer, type ChildServer } from './measure/child-server.ts';
import { machineLine } from './measure/machine.ts';
import { percentile } from './measure/percentiles.ts';
import { fixed, printTable } from './measure/table.ts';

export const description = 'web UI in headless Chromium: first render of 5,000 applications and of a 2,000-resource tree, and the bundle size';

const applications = Number(process.env.BENCH_APPS ?? 5_000);
const treeResources = Number(process.env.BENCH_TREE ?? 2_000);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const appName = (index: number) => `app-${String(index).padStart(4, '0')}`;
const bigApp = 'big-tree';
const distDir = join(repoRoot, 'services/ui/dist');

/** Gzipped size of every file the UI ships, and of what the first page loads (index.html, its entry script and CSS). */
function bundleSizes(): { totalKb: number; initialKb: number } {
  const files = (dir: string): string[] => readdirSync(dir).flatMap((name) => (statSync(join(dir, name)).isDirectory() ? files(join(dir, name)) : [join(dir, name)]));
  const gz = (file: string) => gzipSync(readFileSync(file), { level: 9 }).length;
  const shipped = files(distDir).filter((file) => /\.(js|css|html)$/.test(file));
  const html = readFileSync(join(distDir, 'index.html'), 'utf8');
  const initial = [join(distDir, 'index.html'), ...[...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((match) => join(distDir, match[1]))];
  return { totalKb: shipped.reduce((sum, file) => sum + gz(file), 0) / 1024, initialKb: initial.reduce((sum, file) => sum + gz(file), 0) / 1024 };
}

/**
 * 5,000 Applications (sync result and health each in Redis, as the syncer records them) and one application with
 * 2,000 resources, served by the api in its own process with the built UI; Chromium (Debian's, headless) opens the
 * list with all 5,000 on one page (virtualised), the first page of 100 tiles, and the tree. Each time runs from
 * navigation to the rows on screen, in a fresh page of a logged-in context; the median of `BENCH_RUNS` (after one warm-up).
 */
export async function run(): Promise<void> {
  if (!chromiumAvailable) throw new Error(`no Chromium at ${chromiumPath}: run scripts/setup (it installs Debian's chromium)`);
  buildUi();
  const work = makeWorkDir('bench-ui');
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.url);
  let api: ChildServer | undefined;
  const browser = await launchChromium();
  try {
    console.log(machineLine());
    const configDir = join(work.dir, 'config');
    writeConfig(configDir);
    await seedState(redis);
    await setAccountPassword(redis, 'admin', 'bench-admin-password');
    api = await startChildServer({
      entry: join(repoRoot, 'services/api/src/main.ts'), port: await freePort(), logFile: join(work.dir, 'api.log'), readyPath: '/healthz',
      env: { TIDEWATER_CONFIG: configDir, REDIS_URL: redisServer.url, HOST: '127.0.0.1', TIDEWATER_LOG_LEVEL: 'warn', TIDEWATER_STATE_DIR: join(work.dir, 'state') },
    });
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const login = await context.request.post(`${api.url}/api/v1/session`, { data: { username: 'admin', password: 'bench-admin-password' } });
    if (!login.ok()) throw new Error(`login failed: ${login.status()}`);

    // Predicates run in the page (globalThis is its window); functions, not strings: the UI's CSP forbids eval.
    interface Probe { rows: string; min: number; countId: string; count: string }
    const ready = (probe: Probe) => {
      const document = (globalThis as unknown as { document: { querySelectorAll(selector: string): { length: number }; querySelector(selector: string): { textContent: string | null } | null } }).document;
      return document.querySelectorAll(`[data-testid=${probe.rows}]`).length >= probe.min
        && (!probe.countId || document.querySelector(`[data-testid=${probe.countId}]`)?.textContent === probe.count);
    };
    /** Milliseconds from navigation to the probe holding in the page, per measured run (after one warm-up). */
    const measure = async (path: string, probe: Probe): Promise<number[]> => {
      const times: number[] = [];
      for (let index = 0; index <= runs; index += 1) {
        const page = await context.newPage();
        const started = performance.now();
        await page.goto(`${api!.url}${path}`, { waitUntil: 'commit' });
        await page.waitForFunction(ready, probe, { timeout: 120_000, polling: 'raf' });
        const elapsed = performance.now() - started;
        if (index === runs) await screenshot(page, `ui-bench${path.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '')}`);
        await page.close();
        if (index > 0) times.push(elapsed);
      }
      return times;
    };
    const list = await measure('/applications?view=list&limit=5000', { rows: 'app-row', min: 1, countId: 'app-count', count: `${applications + 1} applications` });
    const tiles = await measure('/applications', { rows: 'app-tile', min: 100, countId: '', count: '' });
    const tree = await measure(`/applications/${bigApp}`, { rows: 'tree-row', min: 10, countId: 'tree-count', count: `${treeResources} resources` });
    // The API's share: the same list request from Node (cookie of the browser's login), median of the runs.
    const cookie = (await context.cookies()).map((entry) => `${entry.name}=${entry.value}`).join('; ');
    const apiTimes: number[] = [];
    for (let index = 0; index <= runs; index += 1) {
      const started = performance.now();
      await (await fetch(`${api.url}/api/v1/applications?limit=5000`, { headers: { cookie } })).arrayBuffer();
      if (index > 0) apiTimes.push(performance.now() - started);
    }
    const bundle = bundleSizes();
    const median = (times: number[]) => percentile(times, 50);
    printTable(['view (headless Chromium, fresh page, logged in)', 'median ms', 'min ms', 'max ms', 'goal'], [
      [`applications list, all ${applications + 1} on one page (virtualised)`, fixed(median(list), 0), fixed(Math.min(...list), 0), fixed(Math.max(...list), 0), '<= 1000'],
      [`applications tiles, first page of 100 of ${applications + 1}`, fixed(median(tiles), 0), fixed(Math.min(...tiles), 0), fixed(Math.max(...tiles), 0), ''],
      [`application tree, ${treeResources} resources`, fixed(median(tree), 0), fixed(Math.min(...tree), 0), fixed(Math.max(...tree), 0), '<= 1500'],
      ['(api alone: GET /api/v1/applications?limit=5000 from Node)', fixed(median(apiTimes), 0), fixed(Math.min(...apiTimes), 0), fixed(Math.max(...apiTimes), 0), ''],
    ]);
    console.log(`bundle: ${fixed(bundle.totalKb, 1)} KiB gzipped in all (goal <= 500), ${fixed(bundle.initialKb, 1)} KiB for the first page (the rest loads per view)`);
    console.log(`BENCH ui list_5000_ms=${fixed(median(list), 0)} tree_2000_ms=${fixed(median(tree), 0)} bundle_kb=${fixed(bundle.totalKb, 1)} tiles_page_ms=${fixed(median(tiles), 0)} api_list_5000_ms=${fixed(median(apiTimes), 0)} initial_kb=${fixed(bundle.initialKb, 1)}`);
  } finally {
    await browser.close();
    await api?.stop();
    redis.disconnect();
    await redisServer.stop();
    work.remove();
  }
}

function writeConfig(configDir: string): void {
  mkdirSync(configDir, { recursive: true });
  const documents: string[] = [];
  for (let project = 0; project < 10; project += 1) {
    documents.push(['apiVersion: argoproj.io/v1alpha1', 'kind: AppProject', `metadata: {name: team-${project}}`, 'spec:', "  sourceRepos: ['*']", "  destinations: [{server: '*', namespace: '*'}]"].join('\n'));
  }
  const application = (name: string, project: string) => [
    'apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${name}, namespace: argocd, labels: {team: ${project}}}`, 'spec:',
    `  project: ${project}`, '  source:', '    repoURL: https://git.example.com/org/gitops.git', '    targetRevision: main', `    path: apps/${name}`,
    '  destination:', '    server: https://kubernetes.default.svc', `    namespace: ${name}`, '  syncPolicy: {automated: {prune: true}}',
  ].join('\n');
  for (let index = 0; index < applications; index += 1) documents.push(application(appName(index), `team-${index % 10}`));
  documents.push(application(bigApp, 'team-0'));
  writeFileSync(join(configDir, 'apps.yaml'), `${documents.join('\n---\n')}\n`);
}

/** A sync result and health per app as the syncer records them: 3 objects each, and `treeResources` for big-tree. */
async function seedState(redis: Redis): Promise<void> {
  const record = (pipeline: ReturnType<Redis['pipeline']>, app: string, objects: Array<{ group: string; kind: string; namespace?: string; name: string }>, unhealthyEvery = 0) => {
    pipeline.set(redisKeys.syncStatus(app), JSON.stringify({
      app, revision: 'c'.repeat(40), phase: 'Succeeded', startedAt: '2030-01-01T00:00:00Z', finishedAt: '2030-01-01T00:00:01Z', durationMs: 900,
      objects: objects.map((object) => ({ ...object, outcome: 'configured' })), trigger: { kind: 'webhook', actor: 'Dana Dev' },
    }));
    pipeline.set(redisKeys.appHealth(app), JSON.stringify({
      app, status: 'Healthy', updatedAt: '2030-01-01T00:00:02Z',
      objects: objects.map((object, index) => ({ ...object, status: unhealthyEvery && index % unhealthyEvery === 0 ? 'Progressing' : 'Healthy' })),
    }));
  };
  const pipeline = redis.pipeline();
  for (let index = 0; index < applications; index += 1) {
    const app = appName(index);
    record(pipeline, app, [
      { group: 'apps', kind: 'Deployment', namespace: app, name: 'web' },
      { group: '', kind: 'Service', namespace: app, name: 'web' },
      { group: '', kind: 'ConfigMap', namespace: app, name: 'settings' },
    ]);
  }
  const kinds = [['apps', 'Deployment'], ['', 'Service'], ['', 'ConfigMap'], ['', 'Secret'], ['networking.k8s.io', 'Ingress']];
  const big = Array.from({ length: treeResources }, (_, index) => {
    const [group, kind] = kinds[index % kinds.length];
    return { group, kind, namespace: `ns-${index % 20}`, name: `${kind.toLowerCase()}-${String(index).padStart(4, '0')}` };
  });
  record(pipeline, bigApp, big, 50);
  await pipeline.exec();
}
