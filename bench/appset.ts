import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { evaluateApplicationSet } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createProducers, readGeneratedApplicationSets } from '@tidewater/queues';
import { createGitAppSetEvaluator, createGitTreeReader } from '@tidewater/renderer';
import { createLogger } from '@tidewater/telemetry';
import { startTidewaterEnvironment } from '../test/e2e/environment.ts';
import { waitFor } from '../test/harness/src/index.ts';
import { machineLine } from './measure/machine.ts';
import { percentile } from './measure/percentiles.ts';

export const description = 'git-directories ApplicationSet over 500 directories: push of a new directory -> applied, and evaluation time';

const directories = Number(process.env.BENCH_APPSET_DIRS ?? 500);
const newDirPushes = Number(process.env.BENCH_APPSET_PUSHES ?? 5);
const evaluations = 5;

// Only `live-*` directories sync automatically (templatePatch), so the 500 fleet Applications are generated
// but wait for a manual sync; the measurement is the new directory's own push → evaluation → render → sync.
const appsetYaml = (repoURL: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: fleet}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - git: {repoURL: '${repoURL}', revision: main, directories: [{path: 'fleet/*'}]}
  template:
    metadata: {name: 'fleet-{{ .path.basename }}'}
    spec:
      project: default
      source: {repoURL: '${repoURL}', targetRevision: main, path: '{{ .path.path }}'}
      destination: {server: 'https://kubernetes.default.svc', namespace: 'fleet-{{ .path.basename }}'}
  templatePatch: |
    {{- if hasPrefix "live-" .path.basename }}
    spec:
      syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}
    {{- end }}
`;

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\ndata: {dir: ${name}}\n`;

/** Push a new directory → the gateway's webhook → renderer evaluates the git generator → render → sync → applied. */
export async function run(): Promise<void> {
  const env = await startTidewaterEnvironment({ seedRepository: false });
  const redis = new Redis(env.redis.url);
  const core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
  try {
    await env.writeConfig('fleet.yaml', appsetYaml(env.repo.url));
    const fleet = Object.fromEntries(Array.from({ length: directories }, (_, index) => {
      const name = `d-${String(index).padStart(3, '0')}`;
      return [`fleet/${name}/cm.yaml`, configMap(name)];
    }));
    await env.repo.commit(fleet, `bench: ${directories} directories`);
    await waitFor(`the ${directories} applications to be generated`, async () => {
      const { sets } = await readGeneratedApplicationSets(redis, ['fleet']);
      return (sets[0]?.applications.length ?? 0) >= directories;
    }, { timeoutMs: 300_000, intervalMs: 200 });

    console.log(machineLine());
    console.log(`appset: git-directories ApplicationSet over ${directories} directories; tidewater all-in-one, real Redis, git daemon, kube-apiserver`);

    const newDirMs: number[] = [];
    const stages: Array<Record<string, number>> = [];
    for (let push = 0; push < newDirPushes; push++) {
      const name = `live-${push}`;
      const started = performance.now();
      const startedAt = Date.now();
      const { sha } = await env.repo.commit({ [`fleet/${name}/cm.yaml`]: configMap(name) }, `bench: new directory ${name}`);
      const pushedAt = Date.now();
      await waitFor(`${name} applied`, async () => {
        try {
          return (await core.readNamespacedConfigMap({ name, namespace: `fleet-${name}` })).data?.dir === name;
        } catch {
          return false;
        }
      }, { timeoutMs: 120_000, intervalMs: 20 });
      newDirMs.push(performance.now() - started);
      // Stage ends from the events' timestamps, ms after the push started.
      const events = await readAllEvents(redis, 1_000_000);
      const at = (type: string, match: (data: Record<string, unknown>, subject?: string) => boolean) => {
        const found = events.find((event) => event.type === type && Date.parse(event.time) >= startedAt && match(event.data as Record<string, unknown>, event.subject));
        return found ? Date.parse(found.time) - startedAt : Number.NaN;
      };
      const app = `fleet-${name}`;
      stages.push({
        push: pushedAt - startedAt,
        webhook: at(eventTypes.webhookReceived, (data) => data.revision === sha),
        generated: at(eventTypes.applicationSetGenerated, (data) => Array.isArray(data.created) && data.created.includes(app)),
        renderStarted: at(eventTypes.renderStarted, (data) => data.app === app),
        renderDone: at(eventTypes.renderSucceeded, (data) => data.app === app),
        syncStarted: at(eventTypes.syncStarted, (data) => data.app === app),
        syncDone: at(eventTypes.syncSucceeded, (data) => data.app === app),
      });
    }
    for (const stage of Object.keys(stages[0] ?? {})) {
      console.log(`  ${stage.padEnd(14)} p50 ${percentile(stages.map((entry) => entry[stage]).filter(Number.isFinite), 50)} ms after the push started`);
    }

    // The renderer's whole evaluation of the set (ls-remote, tree from the mirror, generator, template, validation).
    const logger = createLogger('bench', { level: 'silent' });
    const producers = createProducers({ connection: redis });
    const evaluator = createGitAppSetEvaluator({
      config: env.config, redis, producers, logger,
      events: createEventPublisher({ redis, source: '/tidewater/bench' }),
      trees: createGitTreeReader({ cacheDir: join(env.configDir, '..', 'bench-appset-cache'), repositories: () => env.config().repositories, logger }),
    });
    const applicationSet = env.config().applicationSets?.[0];
    if (!applicationSet) throw new Error('the ApplicationSet did not load');
    const evaluateMs: number[] = [];
    let generated = 0;
    for (let round = 0; round <= evaluations; round++) {
      const started = performance.now();
      const outcome = await evaluator.evaluate(applicationSet, { publish: false });
      if (round > 0) evaluateMs.push(performance.now() - started); // round 0 fills the mirror
      generated = outcome.applications.length;
    }
    await producers.close();
    // The template step alone, on a tree already in memory.
    const trees = createGitTreeReader({ cacheDir: join(env.configDir, '..', 'bench-appset-cache'), repositories: () => [], logger });
    const tree = await trees.read(env.repo.url, env.repo.head());
    const templateStarted = performance.now();
    const pure = evaluateApplicationSet(applicationSet, { clusters: [], gitTree: () => tree });
    const templateMs = performance.now() - templateStarted;
    if (!pure.ok) throw new Error(pure.error);

    console.log(`new directory → applied over ${newDirMs.length} pushes: p50 ${percentile(newDirMs, 50).toFixed(0)} ms, max ${Math.max(...newDirMs).toFixed(0)} ms`);
    console.log(`evaluation of ${generated} applications (renderer, incl. git): p50 ${percentile(evaluateMs, 50).toFixed(0)} ms; generators+templates alone ${templateMs.toFixed(0)} ms`);
    console.log('peer: Argo CD\'s ApplicationSet controller polls git generators every 3 minutes by default (requeueAfterSeconds 180) unless its webhook is configured');
    console.log(`BENCH appset new_dir_to_applied_ms=${percentile(newDirMs, 50).toFixed(0)} evaluate_500_ms=${percentile(evaluateMs, 50).toFixed(0)}`);
  } finally {
    redis.disconnect();
    await env.stop();
  }
}
