import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const hasSetpriv = spawnSync('setpriv', ['--version']).status === 0;
const running = new Set<ManagedProcess>();

// Last line of defence when the test process exits without calling stop(): kill what is left.
process.once('exit', () => {
  for (const managed of running) managed.kill('SIGKILL');
});

export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Last lines of the process's output, for error messages. */
  tail(lines?: number): string;
  kill(signal?: NodeJS.Signals): void;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
  stop(graceMs?: number): Promise<void>;
  readonly exited: Promise<number | null>;
}

/**
 * Starts a long-running component. With util-linux's setpriv the child gets a parent-death signal, so it
 * dies with the test process even when that process is SIGKILLed.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; logDir: string },
): ManagedProcess {
  const logFile = join(options.logDir, `${name}.log`);
  const log = createWriteStream(logFile, { flags: 'a' });
  const [file, argv] = hasSetpriv
    ? ['setpriv', ['--pdeathsig', 'SIGKILL', '--', command, ...args]]
    : [command, args];
  const child = spawn(file, argv, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | null>((resolveExit) => {
    child.once('exit', (code) => {
      running.delete(managed);
      resolveExit(code);
    });
    child.once('error', (error) => {
      log.write(`spawn error: ${error.message}\n`);
      running.delete(managed);
      resolveExit(-1);
    });
  });
  const managed: ManagedProcess = {
    name,
    child,
    logFile,
    exited,
    tail(lines = 20) {
      if (!existsSync(logFile)) return '';
      return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
    },
    kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
      // Grandchildren (git daemon's per-connection git processes) may still hold the pipes after the child exits:
      // stop piping and drain them before ending the log, or their late output is an uncaught "write after end".
      for (const stream of [child.stdout, child.stderr]) {
        stream?.unpipe(log);
        stream?.resume();
      }
      log.end();
    },
  };
  running.add(managed);
  return managed;
}

/** Fails fast with the component's own output when it exits while we wait for it to become ready. */
export async function raceExit<T>(managed: ManagedProcess, ready: Promise<T>): Promise<T> {
  const exitedEarly = managed.exited.then((code) => {
    throw new Error(`${managed.name} exited with code ${code} before it was ready:\n${managed.tail()}`);
  });
  return Promise.race([ready, exitedEarly]);
}
