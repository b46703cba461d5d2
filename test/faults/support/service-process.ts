import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, startProcess, waitFor, type ManagedProcess } from '../../harness/src/index.ts';

export type ServiceName = 'gateway' | 'renderer' | 'syncer' | 'notifier' | 'auditor';

/** One Tidewater service as its own process (`node services/<name>/src/main.ts`), as the chart and compose run it. */
export interface ServiceProcess {
  readonly name: ServiceName;
  readonly current: ManagedProcess;
  /** kill -9 and wait until it is gone. */
  kill9(): Promise<void>;
  /** Starts it again with the same environment (what Kubernetes does after a crash). */
  restart(): void;
  /** JSON log records of every run so far (the log file is appended across restarts). */
  logs(): Array<Record<string, unknown>>;
  /** JSON log records of the current run only. */
  logsOfThisRun(): Array<Record<string, unknown>>;
  /** Waits for a log record of the current run with this message (and fields), returns it. */
  waitForLog(message: string, fields?: Record<string, unknown>, timeoutMs?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

/** Starts `name` with exactly `env` on top of PATH/HOME (no credentials of other services leak in through process.env). */
export function startService(name: ServiceName, env: Record<string, string>, logDir: string): ServiceProcess {
  const base = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', TIDEWATER_LOG_LEVEL: 'info', NODE_NO_WARNINGS: '1' };
  let current: ManagedProcess;
  const logFile = join(logDir, `${name}.log`);
  let runStart = 0;
  const launch = () => {
    runStart = existsSync(logFile) ? readFileSync(logFile).length : 0;
    current = startProcess(name, process.execPath, [join(repoRoot, 'services', name, 'src', 'main.ts')], {
      cwd: repoRoot, logDir, env: { ...minimalEnv(), ...base, ...env },
    });
  };
  launch();
  const parse = (text: string) => text.split('\n').flatMap((line) => {
    if (!line.startsWith('{')) return [];
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
  const service: ServiceProcess = {
    name,
    get current() { return current; },
    async kill9() {
      current.kill('SIGKILL');
      await current.exited;
    },
    restart: launch,
    logs: () => existsSync(logFile) ? parse(readFileSync(logFile, 'utf8')) : [],
    logsOfThisRun: () => existsSync(logFile) ? parse(readFileSync(logFile).subarray(runStart).toString('utf8')) : [],
    waitForLog(message, fields = {}, timeoutMs = 30_000) {
      return waitFor(`${name} to log "${message}"`, () => {
        if (current.child.exitCode !== null) throw new Error(`${name} exited with ${current.child.exitCode}:\n${current.tail()}`);
        return service.logsOfThisRun().find((record) => record.msg === message
          && Object.entries(fields).every(([key, value]) => record[key] === value));
      }, { timeoutMs, intervalMs: 100 });
    },
    stop: () => current.stop(),
  };
  return service;
}

/**
 * startProcess merges process.env; the test runner's variables (REDIS_URL, secrets of other tests) must not reach a
 * service, so every variable the runner has is blanked unless a service sets it.
 */
function minimalEnv(): Record<string, string | undefined> {
  const keep = new Set(['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ']);
  return Object.fromEntries(Object.keys(process.env).filter((key) => !keep.has(key)).map((key) => [key, undefined]));
}
