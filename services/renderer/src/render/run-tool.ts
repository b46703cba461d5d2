import { execFile } from 'node:child_process';
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
 * never mixed into the output. A non-zero exit is permanent and carries the tool's trimmed stderr; a timeout
 * or a missing binary is retryable.
 */
export function runTool(run: ToolRun): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(run.binary, run.args, {
      cwd: run.cwd, env: run.env, timeout: run.timeoutMs, killSignal: 'SIGKILL', maxBuffer: maxOutputBytes, encoding: 'utf8',
    }, (error, stdout, stderr) => {
      if (!error) return resolve({ stdout, stderr });
      const failure = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string; signal?: string };
      if (failure.code === 'ENOENT') {
        return reject(new ExternalServiceError(run.tool, `${run.tool} binary not found at ${run.binary}`, { cause: error }));
      }
      if (failure.killed || failure.signal === 'SIGKILL') {
        return reject(new ExternalServiceError(run.tool, `${run.tool} ${run.args[0]} did not finish within ${run.timeoutMs} ms`, { cause: error }));
      }
      if (failure.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') {
        return reject(permanent(`${run.tool} ${run.args[0]} produced more than ${maxOutputBytes} bytes of output`));
      }
      reject(permanent(`${run.tool} ${run.args[0]} failed: ${toolMessage(stderr, run.repoRoot) || `exit code ${String(failure.code)}`}`));
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
