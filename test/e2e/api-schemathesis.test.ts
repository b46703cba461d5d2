import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '@tidewater/queues';
import { makeWorkDir, toolPath } from '../harness/src/index.ts';
import { startApiFixture, type ApiFixture } from './api-fixture.ts';

const run = promisify(execFile);

// Schemathesis (from PyPI, installed by scripts/setup) fuzzes the running API from its own OpenAPI document:
// a bounded number of examples per operation, and every answer must be a non-5xx that matches its documented
// status and schema. The API runs with response validation on, real Redis, a real auditor, and a control-queue
// worker answering like the syncer.
describe('the API fuzzed from its OpenAPI document (Schemathesis)', () => {
  let fixture: ApiFixture;
  let url: string;
  let token: string;

  beforeAll(async () => {
    fixture = await startApiFixture({ withAuditor: true });
    await fixture.redis.set(redisKeys.syncStatus('web-app'), JSON.stringify({
      app: 'web-app', revision: 'b'.repeat(40), phase: 'Succeeded', startedAt: 's', finishedAt: 'f', durationMs: 5,
      objects: [{ group: 'apps', kind: 'Deployment', namespace: 'web', name: 'web', outcome: 'configured' }],
    }));
    await fixture.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(fixture.app.server.address() as { port: number }).port}`;
    token = await fixture.login('admin');
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it('no 5xx, every status documented, every body matching its schema', async () => {
    const work = makeWorkDir('schemathesis');
    try {
      const args = [
        'run', `${url}/api/openapi.json`,
        '--header', `Authorization: Bearer ${token}`,
        '--checks', 'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
        '--max-examples', String(Number(process.env.TIDEWATER_SCHEMATHESIS_EXAMPLES ?? 10)),
        '--seed', '42', '--workers', '1', '--phases', 'examples,coverage,fuzzing',
        // Streams never end; logging out would end the token the run uses.
        '--exclude-path-regex', '^/api/v1/stream/', '--exclude-path', '/api/v1/session', '--include-path-regex', '^/api/',
        '--no-color', '--report', 'junit', '--report-dir', work.dir,
        '--generation-database', 'none',
      ];
      const result = await run(toolPath('schemathesis'), args, { cwd: work.dir, timeout: 600_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, SCHEMATHESIS_HOOKS: '' } })
        .then(({ stdout }) => ({ code: 0, stdout }), (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, stdout: error.stdout ?? '' }));
      const summary = result.stdout.split('\n').filter((line) => /SUMMARY|Failures|❌|Tested:|generated/.test(line)).join('\n');
      expect(result.code, `${summary}\n\n${result.stdout.slice(-6_000)}`).toBe(0);
      const tested = Number(/Tested: (\d+)/.exec(result.stdout)?.[1] ?? 0);
      expect(tested, 'operations Schemathesis reached').toBeGreaterThanOrEqual(25);
      console.log(summary);
    } finally {
      work.remove();
    }
  });
});
