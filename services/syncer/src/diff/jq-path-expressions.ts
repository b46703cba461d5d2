import { Worker } from 'node:worker_threads';
import type { JqWorkerReady, JqWorkerRequest, JqWorkerResponse } from './jq-worker.ts';

/** What deleting one jq path expression from a document gave. */
export type JqDeletion =
  | { ok: true; document: unknown }
  /** `compileError`: the expression is not valid jq (or not a path expression), whatever the document. */
  | { ok: false; message: string; compileError: boolean };

/**
 * Argo CD's `jqPathExpressions`: each expression is run as `del(<expression>)` on the object (Argo CD uses gojq;
 * Tidewater runs jq itself, compiled to WebAssembly, in a worker thread). An expression gets `timeoutMs` (Argo CD's
 * default `ignore.normalizer.jq.timeout` is 1 s); one that runs longer is stopped and reported.
 */
export interface JqEngine {
  deletePaths(document: unknown, expression: string): Promise<JqDeletion>;
  /** The compile error of an expression, or undefined when it is a valid path expression. */
  check(expression: string): Promise<string | undefined>;
  close(): Promise<void>;
}

export function createJqEngine(options: { timeoutMs?: number } = {}): JqEngine {
  const timeoutMs = options.timeoutMs ?? 1_000;
  let worker: Worker | undefined;
  let workerReady: Promise<void> | undefined;
  let nextId = 0;
  let pending: { id: number; settle(response: JqWorkerResponse): void } | undefined;
  // One expression at a time: the timeout measures that expression alone, not a queue in the worker.
  let chain: Promise<unknown> = Promise.resolve();

  // A loaded machine can take seconds to start a worker and load jq; that never counts against an expression.
  const startupTimeoutMs = Math.max(30_000, timeoutMs);

  function ensureWorker(): { worker: Worker; ready: Promise<void> } {
    if (worker && workerReady) return { worker, ready: workerReady };
    const started = new Worker(new URL('./jq-worker.ts', import.meta.url));
    started.unref(); // never keeps the process alive
    let markReady!: () => void;
    let failStart!: (error: Error) => void;
    const ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failStart = reject;
    });
    ready.catch(() => undefined);
    started.on('message', (response: JqWorkerResponse | JqWorkerReady) => {
      if ('ready' in response) return markReady();
      if (pending?.id === response.id) pending.settle(response);
    });
    started.on('error', (error) => {
      if (worker === started) worker = undefined;
      failStart(error);
      pending?.settle({ id: pending.id, error: `jq stopped: ${error.message}`, compileError: false });
    });
    started.on('exit', () => {
      if (worker === started) worker = undefined;
      failStart(new Error('the jq worker exited'));
    });
    worker = started;
    workerReady = ready;
    return { worker: started, ready };
  }

  function run(document: unknown, expression: string): Promise<JqDeletion> {
    const attempt = chain.then(async () => {
      const started = ensureWorker();
      const startup = await Promise.race([
        started.ready.then(() => undefined, (error: Error) => `jq could not start: ${error.message}`),
        new Promise<string>((resolve) => setTimeout(() => resolve(`jq did not start within ${startupTimeoutMs} ms`), startupTimeoutMs).unref()),
      ]);
      if (startup !== undefined) {
        if (worker === started.worker) worker = undefined;
        void started.worker.terminate();
        return { ok: false, message: startup, compileError: false } satisfies JqDeletion;
      }
      return runOnReadyWorker(started.worker, document, expression);
    });
    chain = attempt.catch(() => undefined); // a worker that cannot start fails this expression, not the next ones
    return attempt;
  }

  function runOnReadyWorker(current: Worker, document: unknown, expression: string): Promise<JqDeletion> {
    return new Promise<JqDeletion>((resolve) => {
      const id = ++nextId;
      const timer = setTimeout(() => {
        pending = undefined;
        if (worker === current) worker = undefined;
        void current.terminate();
        resolve({ ok: false, message: `did not finish within ${timeoutMs} ms`, compileError: false });
      }, timeoutMs);
      pending = {
        id,
        settle(response) {
          clearTimeout(timer);
          pending = undefined;
          resolve('error' in response ? { ok: false, message: response.error, compileError: response.compileError } : { ok: true, document: response.document });
        },
      };
      current.postMessage({ id, document, expression } satisfies JqWorkerRequest);
    });
  }

  return {
    deletePaths: run,
    async check(expression) {
      const outcome = await run({}, expression);
      return !outcome.ok && outcome.compileError ? outcome.message : undefined;
    },
    async close() {
      await chain;
      const current = worker;
      worker = undefined;
      if (current) await current.terminate();
    },
  };
}

let shared: JqEngine | undefined;

/** The syncer's one jq engine (its worker is started on first use and never keeps the process alive). */
export function sharedJqEngine(): JqEngine {
  shared ??= createJqEngine();
  return shared;
}
