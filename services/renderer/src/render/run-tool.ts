import { spawn } from 'node:child_process';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { permanent } from '../errors/permanent.ts';

export interface ToolRun {
  /** Binary path (deps.tools.helm / deps.tools.kustomize). */
  binary: string;
  /** Short name used in messages: `helm`, `kustomize`. */
  tool: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  /** Prefix stripped from the tool's messages so operators see repository-relative paths. */
  repoRoot: string;
}

const maxOutputBytes = 256 * 1024 * 1024;

/**
 * Runs a render tool and returns its stdout. stderr (warnings such as kustomize's `bases` deprecation) is
 * never mixed into the output. A non-zero exit is permanent and carries the tool's trimmed stderr; a missing
 * binary is retryable. The tool runs in its own process group: past its time limit the whole group is killed
 * (plugins and whatever they started included) and the render fails naming the limit.
 */
export function runTool(run: ToolRun): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(run.binary, run.args, { cwd: run.cwd, env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let outputBytes = 0;
    let stopped: 'timeout' | 'output' | undefined;
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already; make sure the child is
      }
    };
    const timer = setTimeout(() => {
      stopped = 'timeout';
      killGroup();
    }, run.timeoutMs);
    const collect = (into: Buffer[]) => (chunk: Buffer) => {
      outputBytes += chunk.length;
      if (outputBytes > maxOutputBytes) {
        stopped ??= 'output';
        killGroup();
        return;
      }
      into.push(chunk);
    };
    child.stdout.on('data', collect(stdout));
    child.stderr.on('data', collect(stderr));
    child.on('error', (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error.code === 'ENOENT') reject(new ExternalServiceError(run.tool, `${run.tool} binary not found at ${run.binary}`, { cause: error }));
      else reject(new ExternalServiceError(run.tool, `${run.tool} ${run.args[0]} could not start: ${error.message}`, { cause: error }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      // Anything the tool left running in its group goes with it.
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // no process left in the group
        }
      }
      const errorText = Buffer.concat(stderr).toString('utf8');
      if (stopped === 'timeout') {
        return reject(new ExternalServiceError(run.tool, `${run.tool} ${run.args[0]} did not finish within ${run.timeoutMs} ms; its process group was killed`));
      }
      if (stopped === 'output') return reject(permanent(`${run.tool} ${run.args[0]} produced more than ${maxOutputBytes} bytes of output`));
      if (code === 0) return resolve({ stdout: Buffer.concat(stdout).toString('utf8'), stderr: errorText });
      reject(permanent(`${run.tool} ${run.args[0]} failed: ${toolMessage(errorText, run.repoRoot) || (signal ? `killed by ${signal}` : `exit code ${String(code)}`)}`));
    });
  });
}

/** The tool's stderr, trimmed, with work-dir paths made repository-relative and length bounded. */
export function toolMessage(stderr: string, repoRoot: string): string {
  const relative = repoRoot ? stderr.split(`${repoRoot}/`).join('').split(repoRoot).join('.') : stderr;
  const trimmed = relative.trim().replace(/\n{2,}/g, '\n');
  return trimmed.length > 2_000 ? `${trimmed.slice(0, 2_000)}…` : trimmed;
}

/** Environment for render tools: PATH and a private HOME, nothing from this process's secrets. */
export function toolEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, LC_ALL: 'C', ...extra };
}
