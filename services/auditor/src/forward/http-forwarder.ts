import { mkdirSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { eventTypes, type EventPublisher } from '@tidewater/events';
import type { Logger } from '@tidewater/telemetry';
import type { AuditLog } from '../log/audit-log.ts';
import type { AuditRecord } from '../log/audit-record.ts';
import type { HttpAuditSink } from './audit-sink-config.ts';

export interface HttpForwarderOptions {
  sink: HttpAuditSink;
  log: AuditLog;
  logger: Logger;
  /** Publishes `dev.tidewater.audit.forward-failed` / `forward-recovered`. */
  events?: EventPublisher;
  /** Where the forwarded position is kept (default `<log dir>/forward`). */
  positionDir?: string;
  /** Re-checks the log at least this often when idle. Default 1 s. */
  pollMs?: number;
}

export interface ForwarderStatus {
  sink: string;
  /** Last seq the sink accepted. */
  position: number;
  failing: boolean;
  failingSince: string | undefined;
  attempts: number;
  /** Status code or error code of the last failure; never the URL. */
  lastReason: string | undefined;
}

export interface HttpForwarder {
  start(): void;
  /** Sends the next batch now, if any; resolves with the records accepted (0 when none or failed). */
  forwardOnce(): Promise<number>;
  readonly status: ForwarderStatus;
  stop(): Promise<void>;
}

/** A failed POST, described without the URL (it may carry a token). */
class SinkFailure extends Error {
  readonly retryAfterMs: number | undefined;

  constructor(reason: string, retryAfterMs?: number) {
    super(reason);
    this.name = 'SinkFailure';
    this.retryAfterMs = retryAfterMs;
  }
}

/** Moves credentials in the URL (`https://user:pass@host`) to a Basic header: fetch refuses them in URLs. */
function requestTarget(sink: HttpAuditSink): { url: string; headers: Record<string, string> } {
  const url = new URL(sink.url);
  const headers: Record<string, string> = { ...sink.headers };
  if (url.username || url.password) {
    headers.authorization ??= `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { url: url.toString(), headers };
}

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; name?: unknown } }).cause;
  if (typeof cause?.code === 'string') return cause.code;
  const name = (error as { name?: unknown }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  return typeof cause?.name === 'string' ? cause.name : 'network error';
}

function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * Forwards audit records, in order and in batches, to an outside HTTP consumer: `POST` with
 * `{ "sink": name, "records": [...] }` (JSON). Delivery is at least once (a batch accepted just before a crash
 * is sent again; receivers dedupe by `seq`). The position advances only on a 2xx and is persisted, so a restart
 * resumes. A failing sink is retried with exponential backoff (honouring Retry-After) until it accepts again;
 * the outage is reported once (error log + `dev.tidewater.audit.forward-failed`, naming the sink only) and the
 * recovery too. Nothing is dropped: the records stay in the log.
 */
export function createHttpForwarder(options: HttpForwarderOptions): HttpForwarder {
  const { sink, log, events } = options;
  const logger = options.logger.child({ sink: sink.name });
  const positionDir = options.positionDir ?? join(log.dir, 'forward');
  const positionFile = join(positionDir, `${sink.name.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  const pollMs = options.pollMs ?? 1_000;
  const target = requestTarget(sink);
  const status: ForwarderStatus = { sink: sink.name, position: 0, failing: false, failingSince: undefined, attempts: 0, lastReason: undefined };
  let loaded = false;
  let running = false;
  let loop: Promise<void> | undefined;
  let wakeSleeper: (() => void) | undefined;
  let failingSinceMs = 0;

  async function loadPosition() {
    if (loaded) return;
    mkdirSync(positionDir, { recursive: true });
    try {
      const saved = JSON.parse(await readFile(positionFile, 'utf8')) as { seq?: unknown };
      if (typeof saved.seq === 'number' && saved.seq >= 0) status.position = saved.seq;
    } catch {
      status.position = 0; // first start: forward the whole log
    }
    if (status.position > log.lastSeq) logger.warn({ position: status.position, lastSeq: log.lastSeq }, 'forward position is past the end of the audit log');
    loaded = true;
  }

  async function savePosition(seq: number) {
    const temporary = `${positionFile}.tmp`;
    await writeFile(temporary, JSON.stringify({ seq, at: new Date().toISOString() }));
    await rename(temporary, positionFile);
  }

  async function post(records: AuditRecord[]): Promise<void> {
    let response: Response;
    try {
      response = await fetch(target.url, {
        method: 'POST',
        headers: {
          ...target.headers,
          'content-type': 'application/json',
          'user-agent': 'tidewater-auditor',
          'x-tidewater-audit-sink': sink.name,
          'x-tidewater-audit-first-seq': String(records[0].seq),
          'x-tidewater-audit-last-seq': String(records[records.length - 1].seq),
        },
        body: JSON.stringify({ sink: sink.name, records }),
        signal: AbortSignal.timeout(sink.timeoutMs),
      });
    } catch (error) {
      throw new SinkFailure(errorCode(error));
    }
    await response.arrayBuffer().catch(() => undefined); // drain, so the connection is reused
    if (!response.ok) throw new SinkFailure(`HTTP ${response.status}`, retryAfterMs(response.headers.get('retry-after')));
  }

  async function reportFailure(reason: string, fromSeq: number) {
    status.attempts++;
    status.lastReason = reason;
    if (!status.failing) {
      status.failing = true;
      failingSinceMs = Date.now();
      status.failingSince = new Date(failingSinceMs).toISOString();
      logger.error({ reason, fromSeq }, 'audit sink is failing; records are kept and retried until it accepts them');
      await events?.publish({ type: eventTypes.auditForwardFailed, data: { sink: sink.name, reason, fromSeq } }).catch((error: unknown) => {
        logger.warn({ reason: (error as Error).message }, 'forward-failed event could not be published');
      });
    } else if (status.attempts % 10 === 0) {
      logger.warn({ reason, fromSeq, attempts: status.attempts }, 'audit sink still failing');
    }
  }

  async function reportRecovery() {
    if (!status.failing) return;
    const failedForMs = Date.now() - failingSinceMs;
    logger.info({ failedForMs, attempts: status.attempts }, 'audit sink recovered; catching up');
    await events?.publish({ type: eventTypes.auditForwardRecovered, data: { sink: sink.name, failedForMs, attempts: status.attempts } }).catch(() => {});
    status.failing = false;
    status.failingSince = undefined;
    status.attempts = 0;
    status.lastReason = undefined;
  }

  /** One batch: accepted count, or the failure. */
  async function sendNext(): Promise<{ sent: number; failure?: SinkFailure }> {
    await loadPosition();
    const records = await log.readAfter(status.position, sink.batchSize);
    if (records.length === 0) return { sent: 0 };
    try {
      await post(records);
    } catch (error) {
      const failure = error instanceof SinkFailure ? error : new SinkFailure('error');
      await reportFailure(failure.message, records[0].seq);
      return { sent: 0, failure };
    }
    const last = records[records.length - 1].seq;
    await savePosition(last);
    status.position = last;
    await reportRecovery();
    return { sent: records.length };
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeSleeper = undefined;
        resolve();
      }
      wakeSleeper = done;
    });
  }

  return {
    status,
    start() {
      if (running) return;
      running = true;
      loop = (async () => {
        while (running) {
          try {
            const { sent, failure } = await sendNext();
            if (failure) {
              const backoff = Math.min(sink.maxBackoffMs, sink.initialBackoffMs * 2 ** Math.min(status.attempts - 1, 20));
              const jittered = backoff * (0.8 + Math.random() * 0.4);
              await sleep(Math.min(sink.maxBackoffMs, Math.max(jittered, failure.retryAfterMs ?? 0)));
            } else if (sent === 0) {
              await log.waitForAppend(status.position, pollMs);
            }
          } catch (error) {
            // The log itself could not be read: not the sink's fault; wait and try again.
            logger.error({ reason: (error as Error).message }, 'audit forwarder could not read the log');
            await sleep(pollMs);
          }
        }
      })();
    },
    async forwardOnce() {
      return (await sendNext()).sent;
    },
    async stop() {
      running = false;
      wakeSleeper?.();
      await loop;
    },
  };
}
