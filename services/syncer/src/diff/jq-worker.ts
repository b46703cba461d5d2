// Worker thread of the jq engine (see jq-path-expressions.ts): runs jq (compiled to WebAssembly) off the main
// thread, so an expression that never ends can be stopped by terminating this worker.
import { parentPort } from 'node:worker_threads';
import { json } from 'jq-wasm';

export interface JqWorkerRequest {
  id: number;
  /** The JSON document; `del(<expression>)` is run on it. */
  document: unknown;
  expression: string;
}

export type JqWorkerResponse =
  | { id: number; document: unknown }
  | { id: number; error: string; compileError: boolean };

/** Posted once jq is loaded, so an expression's time limit never includes the worker's start-up. */
export interface JqWorkerReady {
  ready: true;
}

parentPort?.on('message', async (request: JqWorkerRequest) => {
  try {
    const document = await json(request.document as object, `del(${request.expression})`);
    parentPort!.postMessage({ id: request.id, document } satisfies JqWorkerResponse);
  } catch (error) {
    const message = (error as Error).message.replace(/^Failed to execute (JSON|raw) query: /, '').trim();
    const compileError = /compile error/.test(message);
    // A runtime error quotes the value it stumbled on (`Cannot iterate over string ("…")`), which may be a secret.
    const safe = compileError ? message : message.replace(/^jq: error \(at [^)]*\): /, '').replace(/"(?:[^"\\]|\\.)*"/g, '"…"');
    parentPort!.postMessage({ id: request.id, error: safe, compileError } satisfies JqWorkerResponse);
  }
});

// jq-wasm instantiates its module on first use: do that before saying ready.
await json({}, '.');
parentPort?.postMessage({ ready: true } satisfies JqWorkerReady);
