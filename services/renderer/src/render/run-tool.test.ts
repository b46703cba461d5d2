import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeWorkDir, waitFor } from '../../../../test/harness/src/index.ts';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { runTool, toolEnv } from './run-tool.ts';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('runTool', () => {
  it('kills a tool past its time limit with its whole process group, and says so', async () => {
    const work = makeWorkDir('run-tool');
    try {
      const pidFile = join(work.dir, 'grandchild.pid');
      // A "plugin" the tool starts in the background, which a kill of the tool alone would leave running.
      const script = `sleep 300 & echo $! > ${pidFile}; sleep 300`;
      const failure = await runTool({ binary: 'sh', tool: 'kustomize', args: ['-c', script], cwd: work.dir, env: toolEnv(work.dir), timeoutMs: 500, repoRoot: work.dir })
        .then(() => undefined, (error: unknown) => error);
      expect(failure).toBeInstanceOf(ExternalServiceError);
      expect((failure as Error).message).toBe('kustomize -c did not finish within 500 ms; its process group was killed');
      expect(existsSync(pidFile)).toBe(true);
      const grandchild = Number(readFileSync(pidFile, 'utf8').trim());
      await waitFor('the background process to be gone', () => !alive(grandchild), { timeoutMs: 10_000 });
    } finally {
      work.remove();
    }
  });

  it('returns stdout and names a failing tool with its stderr', async () => {
    const work = makeWorkDir('run-tool');
    try {
      const ok = await runTool({ binary: 'sh', tool: 'helm', args: ['-c', 'echo out; echo warn >&2'], cwd: work.dir, env: toolEnv(work.dir), timeoutMs: 10_000, repoRoot: work.dir });
      expect(ok).toEqual({ stdout: 'out\n', stderr: 'warn\n' });
      const failed = await runTool({ binary: 'sh', tool: 'helm', args: ['-c', 'echo broken chart >&2; exit 3'], cwd: work.dir, env: toolEnv(work.dir), timeoutMs: 10_000, repoRoot: work.dir })
        .catch((error: Error) => error);
      expect((failed as Error).message).toBe('helm -c failed: broken chart');
    } finally {
      work.remove();
    }
  });
});
