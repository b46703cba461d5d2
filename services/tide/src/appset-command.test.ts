import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { buildConfig, type TidewaterConfig } from '@tidewater/config';
import { createRedisConnection, readGeneratedApplicationSets, writeGeneratedApplicationSet } from '@tidewater/queues';
import { createGitTreeReader } from '@tidewater/renderer';
import { createLogger } from '@tidewater/telemetry';
import { makeWorkDir, startGitServer, startRedis, type GitRepo, type GitServer, type RedisInstance } from '../../../test/harness/src/index.ts';
import { runAppsetGenerate, type AppsetCommandIO } from './appset-command.ts';

const listSet = (elements: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: teams }
spec:
  generators: [{ list: { elements: ${elements} } }]
  template:
    metadata: { name: 'team-{{team}}' }
    spec:
      project: default
      source: { repoURL: 'https://git.example/x.git', path: 'teams/{{team}}' }
      destination: { server: 'https://kubernetes.default.svc', namespace: '{{team}}' }
`;

const gitSet = (repoURL: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: { name: dirs }
spec:
  generators: [{ git: { repoURL: '${repoURL}', revision: main, directories: [{ path: 'apps/*' }] } }]
  template:
    metadata: { name: '{{path.basename}}' }
    spec:
      project: default
      source: { repoURL: '${repoURL}', targetRevision: main, path: '{{path}}' }
      destination: { server: 'https://kubernetes.default.svc', namespace: '{{path.basename}}' }
`;

describe('tide appset generate', () => {
  let redisServer: RedisInstance;
  let gitServer: GitServer;
  let repo: GitRepo;
  let redis: Redis;
  const work = makeWorkDir('tide-appset');

  beforeAll(async () => {
    [redisServer, gitServer] = await Promise.all([startRedis(), startGitServer()]);
    repo = gitServer.createRepo('org/apps');
    await repo.commit({ 'apps/web/cm.yaml': 'x: 1\n', 'apps/api/cm.yaml': 'x: 1\n' }, 'two apps');
    redis = createRedisConnection(redisServer.url, 'worker');
  });

  afterAll(async () => {
    redis?.disconnect();
    await Promise.all([redisServer?.stop(), gitServer?.stop()]);
    work.remove();
  });

  const run = async (args: string[], text: string) => {
    const out: string[] = [];
    const err: string[] = [];
    const config: TidewaterConfig = buildConfig([{ file: 'sets.yaml', text }]).config;
    const io: AppsetCommandIO = {
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      loadConfig: async () => config,
      readPublished: async (names) => (await readGeneratedApplicationSets(redis, names)).sets,
      trees: () => createGitTreeReader({ cacheDir: join(work.dir, 'cache'), repositories: () => [], logger: createLogger('t', { level: 'silent' }) }),
    };
    const code = await runAppsetGenerate(args, io);
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('previews a git ApplicationSet with a diff against the published set, writing nothing', async () => {
    const current = buildConfig([{ file: 'x.yaml', text: listSet('[{team: x}]') }]).config.applications[0];
    const api = { ...current, metadata: { name: 'api' }, spec: { ...current.spec, source: { repoURL: repo.url, targetRevision: 'main', path: 'apps/api-old' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'api' } } };
    const gone = { ...api, metadata: { name: 'gone' } };
    await writeGeneratedApplicationSet(redis, { applicationSet: 'dirs', revisions: {}, generatedAt: '2026-01-01T00:00:00Z', applications: [api, gone] as unknown as Array<Record<string, unknown>> });
    const before = await redis.get('tidewater:appset:dirs:generated');

    const { code, out } = await run(['generate', 'dirs'], gitSet(repo.url));
    expect(code).toBe(0);
    expect(out).toContain('name: web');
    expect(out).toContain('+ web');
    expect(out).toContain('~ api');
    expect(out).toContain('spec.source.path: "apps/api-old" → "apps/api"');
    expect(out).toContain('- gone');
    expect(out).toContain('would create 1, update 1, delete 1 (nothing applied)');
    expect(await redis.get('tidewater:appset:dirs:generated')).toBe(before);
  });

  it('an evaluation error says the current set would be kept', async () => {
    const broken = listSet('[{team: a}]').replace("'team-{{team}}'", "'team-{{team}}-{{missing}}'");
    const { code, err, out } = await run(['generate', 'teams'], broken);
    expect(code).toBe(1);
    expect(err).toContain('ApplicationSet teams could not be evaluated: element 0: the generated Application is invalid: metadata.name');
    expect(out).toBe('the current 0 Application(s) would be kept; nothing would be deleted');
  });

  it('names the known ApplicationSets for an unknown name, and prints usage', async () => {
    expect(await run(['generate', 'nope'], listSet('[{team: a}]'))).toMatchObject({ code: 1, err: 'tide appset: no ApplicationSet named nope (known: teams)' });
    expect((await run(['list'], listSet('[{team: a}]'))).code).toBe(2);
  });
});
