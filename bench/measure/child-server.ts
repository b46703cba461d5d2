import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync, closeSync } from 'node:fs';
import { waitFor } from '../../test/harness/src/index.ts';

export interface ChildServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Runs a Node entry point (listening on `PORT`) as its own process (so the server under load does not share an event loop with the
 * load generator), its output to `logFile`, and waits until `GET <url><readyPath>` answers 200.
 */
export async function startChildServer(options: {
  entry: string;
  port: number;
  env: Record<string, string>;
  logFile: string;
  readyPath: string;
}): Promise<ChildServer> {
  const log = openSync(options.logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, [options.entry], {
    env: { ...process.env, ...options.env, PORT: String(options.port) },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${options.port}`;
  let exited = false;
  child.once('exit', () => { exited = true; });
  const tail = () => readFileSync(options.logFile, 'utf8').split('\n').slice(-20).join('\n');
  try {
    await waitFor(`${options.entry} to answer ${options.readyPath}`, async () => {
      if (exited) throw new Error(`exited early:\n${tail()}`);
      const response = await fetch(`${url}${options.readyPath}`);
      return response.status === 200;
    }, { timeoutMs: 30_000, intervalMs: 100 });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    url,
    pid: child.pid ?? -1,
    async stop() {
      if (exited) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}
