import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { buildConfig, createPublishedConfigView, type TidewaterConfig } from '@tidewater/config';
import { createEventPublisher, eventTypes, readAllEvents } from '@tidewater/events';
import { createProducers, createRedisConnection, queueNames, readGeneratedApplicationSets, type Producers } from '@tidewater/queues';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startGitServer, startRedis, type GitRepo, type GitServer, type RedisInstance } from '../../../../test/harness/src/index.ts';
import { createGitAppSetEvaluator, type GitAppSetEvaluator } from './git-appset-evaluator.ts';
import { createGitTreeReader } from './git-tree.ts';

const appsetYaml = (repoURL: string, name = 'dirs') => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: ${name} }
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - git:
      repoURL: ${repoURL}
      revision: main
      directories: [{ path: 'apps/*' }, { path: apps/skip, exclude: true }]
  template:
    metadata: { name: '{{ .path.basename }}' }
    spec:
      project: default
      source: { repoURL: '${repoURL}', targetRevision: main, path: '{{ .path.path }}' }
      destination: { server: 'https://kubernetes.default.svc', namespace: '{{ .path.basename }}' }
      syncPolicy: { automated: {} }
`;

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ${name}}\n`;

describe('git ApplicationSets in the renderer', () => {
  let redisServer: RedisInstance;
  let gitServer: GitServer;
  let repo: GitRepo;
  let redis: Redis;
  let producers: Producers;
  let config: TidewaterConfig;
  let evaluator: GitAppSetEvaluator;
  const work = makeWorkDir('renderer-appsets');

  beforeAll(async () => {
    [redisServer, gitServer] = await Promise.all([startRedis(), startGitServer()]);
    repo = gitServer.createRepo('org/apps');
    await repo.commit({ 'apps/web/cm.yaml': configMap('web'), 'apps/api/cm.yaml': configMap('api'), 'apps/skip/cm.yaml': configMap('skip') }, 'two apps');
    const loaded = buildConfig([{ file: 'sets.yaml', text: `${appsetYaml(repo.url)}\n---\n${appsetYaml('git://127.0.0.1:1/nowhere.git', 'unreachable')}` }]);
    expect(loaded.errors).toEqual([]);
    config = loaded.config;
    redis = createRedisConnection(redisServer.url, 'worker');
    producers = createProducers({ connection: redis });
    const logger = createLogger('appset-test', { level: 'silent' });
    evaluator = createGitAppSetEvaluator({
      config: () => config,
      redis,
      producers,
      events: createEventPublisher({ redis, source: '/tidewater/renderer' }),
      logger,
      trees: createGitTreeReader({ cacheDir: join(work.dir, 'cache'), repositories: () => config.repositories, logger }),
    });
  });

  afterAll(async () => {
    await producers?.close();
    redis?.disconnect();
    await Promise.all([redisServer?.stop(), gitServer?.stop()]);
    work.remove();
  });

  const published = async (name: string) => (await readGeneratedApplicationSets(redis, [name])).sets[0];
  const publishedNames = async (name: string) => ((await published(name))?.applications ?? []).map((application) => (application.metadata as { name: string }).name);

  it('evaluates on a push, publishes the set and queues the new Applications for render', async () => {
    const [outcome] = await evaluator.onPush(repo.url);
    expect(outcome).toMatchObject({ applicationSet: 'dirs', status: 'generated', created: ['api', 'web'], deleted: [] });
    expect(await publishedNames('dirs')).toEqual(['api', 'web']);
    expect((await published('dirs'))?.revisions[repo.url]).toBe(repo.head());
    const renderQueue = new Queue(queueNames.render, { connection: redis });
    const jobs = await renderQueue.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
    expect(jobs.map((job) => `${job.data.app}@${job.data.revision}`).sort()).toEqual([`api@${repo.head()}`, `web@${repo.head()}`]);
    await renderQueue.close();

    // Other services' config views take the published set.
    const view = createPublishedConfigView({ base: () => config, read: async (names) => (await readGeneratedApplicationSets(redis, names)).sets });
    await view.refresh();
    expect(view.current().applications.map((application) => application.metadata.name)).toEqual(['api', 'web']);
  });

  it('a pushed directory adds its Application; a removed one deletes it', async () => {
    await repo.commit({ 'apps/new/cm.yaml': configMap('new'), 'apps/api/cm.yaml': null }, 'add new, drop api');
    const [outcome] = await evaluator.onPush(repo.url);
    expect(outcome).toMatchObject({ status: 'generated', created: ['new'], deleted: ['api'] });
    expect(await publishedNames('dirs')).toEqual(['new', 'web']);
  });

  it('an empty result after a non-empty one keeps the previous set and is reported', async () => {
    await repo.commit({ 'apps/new/cm.yaml': null, 'apps/web/cm.yaml': null }, 'remove everything');
    const [outcome] = await evaluator.onPush(repo.url);
    expect(outcome.status).toBe('kept-previous');
    expect(outcome.problem).toContain('generators returned no Application where there were 2');
    expect(await publishedNames('dirs')).toEqual(['new', 'web']);
    expect((await published('dirs'))?.problem).toContain('previous set kept');
    const failures = (await readAllEvents(redis)).filter((event) => event.type === eventTypes.applicationSetFailed && event.subject === 'dirs');
    expect(failures).toHaveLength(1);

    // Opting in per ApplicationSet lets the empty result delete them (previewed here, nothing published).
    const dirs = config.applicationSets?.find((set) => set.metadata.name === 'dirs');
    if (!dirs) throw new Error('dirs did not load');
    const optedIn = { ...dirs, metadata: { ...dirs.metadata, annotations: { 'tidewater.dev/allow-empty': 'true' } } };
    expect(await evaluator.evaluate(optedIn, { publish: false })).toMatchObject({ status: 'generated', deleted: ['new', 'web'], applications: [] });
    expect(await publishedNames('dirs')).toEqual(['new', 'web']);
  });

  it('a files generator reads only the matched JSON/YAML files from the mirror', async () => {
    await repo.commit({ 'envs/dev.json': JSON.stringify({ env: 'dev', replicas: 1 }), 'envs/prod.yaml': 'env: prod\nreplicas: 3\n', 'envs/notes.txt': 'x' }, 'env files');
    const files = buildConfig([{ file: 'files.yaml', text: `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: envs }
spec:
  generators: [{ git: { repoURL: '${repo.url}', revision: main, files: [{ path: 'envs/*.{json,yaml}' }] } }]
  template:
    metadata: { name: 'env-{{env}}' }
    spec:
      project: default
      source: { repoURL: '${repo.url}', targetRevision: main, path: 'envs', helm: { parameters: [{ name: replicas, value: '{{replicas}}' }] } }
      destination: { server: 'https://kubernetes.default.svc', namespace: '{{env}}' }
` }]).config.applicationSets?.[0];
    if (!files) throw new Error('the files ApplicationSet did not load');
    const outcome = await evaluator.evaluate(files, { publish: false });
    expect(outcome.applications.map((application) => `${application.metadata.name}:${application.spec.source.helm?.parameters?.[0].value}`)).toEqual(['env-dev:1', 'env-prod:3']);
    expect(await published('envs')).toBeUndefined();
  });

  it('an unreadable repository generates nothing, deletes nothing and is reported', async () => {
    const outcomes = await evaluator.evaluateAll();
    const unreachable = outcomes.find((outcome) => outcome.applicationSet === 'unreachable');
    expect(unreachable?.status).toBe('kept-previous');
    expect(unreachable?.problem).toContain("a git generator's repository could not be read");
    expect(await published('unreachable')).toBeUndefined();
    expect(await publishedNames('dirs')).toEqual(['new', 'web']);
  });
});
