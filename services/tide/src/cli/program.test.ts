import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControlJob } from '@tidewater/queues';
import { startApiFixture, type ApiFixture } from '../../../../test/e2e/api-fixture.ts';
import { createProgram, runProgram } from './program.ts';

// The CLI in-process against a listening API whose control-queue worker answers like a syncer that implements
// sync (the real syncer's `sync` kind lands on its own branch): the progress of `sync --wait` and diff's exit codes.
describe('tide CLI (in-process) against a running API', () => {
  let fixture: ApiFixture;
  let server: string;
  let token: string;
  let diffObjects: unknown[] = [];

  beforeAll(async () => {
    fixture = await startApiFixture({
      answer: (job: ControlJob) => {
        if (job.kind === 'diff') return { kind: 'diff', app: job.app, revision: 'a'.repeat(40), objects: diffObjects };
        if (job.kind === 'sync') return { kind: 'sync', app: job.app, phase: 'Succeeded' };
        return { kind: job.kind, app: job.app };
      },
    });
    await fixture.app.listen({ port: 0, host: '127.0.0.1' });
    server = `http://127.0.0.1:${(fixture.app.server.address() as { port: number }).port}`;
    token = await fixture.login('admin');
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

  it('sync waits for the operation, printing each change of phase, and ends with the app', async () => {
    const result = await tide('app', 'sync', 'web-app', '--prune', '--resource', 'apps:Deployment:web/web', '--timeout', '60');
    expect(result.code, result.err).toBe(0);
    expect(result.err).toMatch(/^sync of web-app requested \(operation control:sync-web-app:[0-9a-f]{12}\)$/m);
    expect(result.err).toMatch(/operation Succeeded\s+sync \w+\s+health \w+/);
    expect(result.out).toMatch(/^Name:\s+web-app$/m);
    expect(fixture.controlJobs.at(-1)).toMatchObject({ kind: 'sync', app: 'web-app', prune: true, resources: ['apps:Deployment:web/web'], actor: 'admin' });
  });

  it('diff exits 0 without differences, 1 with them, 2 when it cannot be computed', async () => {
    diffObjects = [{ group: '', kind: 'ConfigMap', namespace: 'web', name: 'settings', status: 'unchanged', diff: '' }];
    expect((await tide('app', 'diff', 'web-app')).code).toBe(0);
    diffObjects = [{ group: '', kind: 'ConfigMap', namespace: 'web', name: 'settings', status: 'changed', diff: '-a: 1\n+a: 2\n' }];
    const changed = await tide('app', 'diff', 'web-app');
    expect(changed.code).toBe(1);
    expect(changed.out).toContain('===== /ConfigMap web/settings changed ======\n-a: 1\n+a: 2');
    expect((await tide('app', 'diff', 'no-such-app')).code).toBe(2);
  });

  it('prints -o json and yaml, names a missing permission, and exits 13 for an unknown app', async () => {
    expect(JSON.parse((await tide('app', 'get', 'web-app', '-o', 'json')).out)).toMatchObject({ metadata: { name: 'web-app' } });
    expect((await tide('app', 'list', '-o', 'yaml')).out).toMatch(/^- apiVersion: argoproj.io\/v1alpha1$/m);
    const nobody = await fixture.apiToken('nobody');
    const program = createProgram({ env: { TIDE_SERVER: server, TIDE_AUTH_TOKEN: nobody }, out: () => {}, err: () => {}, runAll: async () => {} });
    const errors: string[] = [];
    expect(await runProgram(program, ['app', 'sync', 'web-app', '--async'], (text) => errors.push(text))).toBe(12);
    expect(errors.join('')).toContain('permission denied: applications, sync, web/web-app');
    expect((await tide('app', 'get', 'no-such-app')).code).toBe(13);
  });
});
