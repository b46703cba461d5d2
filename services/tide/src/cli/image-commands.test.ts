import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEventPublisher, eventTypes } from '@tidewater/events';
import { apiTestConfig, apiTestConfigYaml, startApiFixture, type ApiFixture } from '../../../../test/e2e/api-fixture.ts';
import { createProgram, runProgram } from './program.ts';

// `tide image list|updates` and `tide app delete` in-process against a listening API (real Redis).
describe('tide image and tide app delete against a running API', () => {
  let fixture: ApiFixture;
  let server: string;
  let token: string;

  beforeAll(async () => {
    const config = apiTestConfig(apiTestConfigYaml
      .replace('labels: {team: web, tier: frontend}}', "labels: {team: web, tier: frontend}, annotations: {argocd-image-updater.argoproj.io/image-list: 'web=ghcr.io/org/web:~1.2', argocd-image-updater.argoproj.io/write-back-target: kustomization}}")
      .replace('labels: {team: data}}', "labels: {team: data}, annotations: {argocd-image-updater.argoproj.io/image-list: 'etl=ghcr.io/org/etl'}}"));
    fixture = await startApiFixture({ config: () => config });
    await fixture.app.listen({ port: 0, host: '127.0.0.1' });
    server = `http://127.0.0.1:${(fixture.app.server.address() as { port: number }).port}`;
    token = await fixture.login('admin');
    const promoter = createEventPublisher({ redis: fixture.redis, source: '/tidewater/promoter' });
    await promoter.publish({ type: eventTypes.imageUpdated, data: {
      app: 'web-app', policy: 'argocd:web-app:web', image: 'ghcr.io/org/web', oldTag: '1.2.3', newTag: '1.2.4', commit: 'c'.repeat(40), revision: 'c'.repeat(40),
      repo: 'https://git.example.com/org/gitops.git', branch: 'main', file: 'web/kustomization.yaml',
    } });
    await promoter.publish({ type: eventTypes.imageUpdateFailed, data: { app: 'data-app', policy: 'argocd:data-app:etl', image: 'ghcr.io/org/etl', tag: '2.0.0', reason: 'push rejected' } });
  });
  afterAll(async () => {
    await fixture?.close();
  });

  async function tide(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const program = createProgram({ env: { TIDE_SERVER: server, TIDE_AUTH_TOKEN: token, TIDE_CONFIG: '/nonexistent/tide-config' }, out: (text) => out.push(text), err: (text) => err.push(text), runAll: async () => {} });
    const code = await runProgram(program, argv, (text) => err.push(text));
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('image list prints the policies as a table, wide, json and yaml, filtered by app', async () => {
    const list = await tide('image', 'list');
    expect(list.code, list.err).toBe(0);
    expect(list.out).toMatch(/^APP\s+IMAGE\s+STRATEGY\s+CONSTRAINT\s+WRITE-BACK\s+DISABLED$/m);
    expect(list.out).toMatch(/^web-app\s+ghcr\.io\/org\/web\s+semver\s+~1\.2\s+kustomization:web$/m);
    expect(list.out).toMatch(/^data-app\s+ghcr\.io\/org\/etl\s+/m);
    expect((await tide('image', 'list', '-o', 'wide')).out).toMatch(/ID\s+ORIGIN\s+ALLOW-TAGS[\s\S]*argocd:web-app:web\s+argocd-image-updater/);
    expect(JSON.parse((await tide('image', 'list', '--app', 'web-app', '-o', 'json')).out)).toEqual([expect.objectContaining({ id: 'argocd:web-app:web', constraint: '~1.2' })]);
    expect((await tide('image', 'list', '--app', 'data-app', '-o', 'yaml')).out).toMatch(/^- id: argocd:data-app:etl$/m);
  });

  it('image updates prints recent image events newest first, filtered by app', async () => {
    const updates = await tide('image', 'updates');
    expect(updates.code, updates.err).toBe(0);
    const lines = updates.out.split('\n');
    expect(lines[0]).toMatch(/^TIME\s+APP\s+EVENT\s+IMAGE\s+DETAIL$/);
    expect(lines[1]).toMatch(/data-app\s+update-failed\s+ghcr\.io\/org\/etl\s+2\.0\.0 push rejected$/);
    expect(lines[2]).toMatch(/web-app\s+updated\s+ghcr\.io\/org\/web\s+1\.2\.3 -> 1\.2\.4 \(commit c{12}\)$/);
    const web = await tide('image', 'updates', '--app', 'web-app', '-o', 'json');
    expect((JSON.parse(web.out) as Array<{ app: string }>).map((event) => event.app)).toEqual(['web-app']);
  });

  it('app delete is refused (exit 12) naming the file and document in Git; an unknown app exits 13; no permission exits 12', async () => {
    const refused = await tide('app', 'delete', 'web-app');
    expect(refused.code).toBe(12);
    expect(refused.err).toMatch(/api-test\.yaml document 2 \(web-app\)/);
    expect(refused.err).toMatch(/delete that document from Git/);
    expect((await tide('app', 'delete', 'no-such-app')).code).toBe(13);
    const dana = await fixture.apiToken('dana');
    const errors: string[] = [];
    const program = createProgram({ env: { TIDE_SERVER: server, TIDE_AUTH_TOKEN: dana, TIDE_CONFIG: '/nonexistent/tide-config' }, out: () => {}, err: () => {}, runAll: async () => {} });
    expect(await runProgram(program, ['app', 'delete', 'web-app'], (text) => errors.push(text))).toBe(12);
    expect(errors.join('')).toContain('permission denied: applications, delete, web/web-app');
  });
});
