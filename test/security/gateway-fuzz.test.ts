import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  escapes, newTally, prototypePollution, sendAndCheck, startFuzzTarget, webhookRequest, type FuzzTarget,
} from './gateway-fuzz-support.ts';

// Door: the webhook port. Random bodies, headers and signatures (valid ones over random or broken JSON among them)
// against every webhook route of the real gateway on a real Redis: never a 5xx, never a job, never an event.
// TIDEWATER_FUZZ_RUNS raises the number of runs (the 10,000-request run is `npm run bench -- fuzz`).
const runs = Number(process.env.TIDEWATER_FUZZ_RUNS ?? 1_000);
const timeLimitMs = Number(process.env.TIDEWATER_FUZZ_TIME_LIMIT_MS ?? 90_000);

describe('webhook routes under random input', () => {
  let target: FuzzTarget;
  const unexpected: unknown[] = [];
  const onUnexpected = (error: unknown) => unexpected.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', onUnexpected);
    process.on('unhandledRejection', onUnexpected);
    // A small body limit, so some random bodies also meet the 413 path.
    target = await startFuzzTarget({ maxBodyBytes: 8 * 1024 });
  });
  afterAll(async () => {
    process.off('uncaughtException', onUnexpected);
    process.off('unhandledRejection', onUnexpected);
    await target?.stop();
  });

  it(`answers ${runs} random requests without a 5xx, queues no job and writes no event`, { timeout: timeLimitMs + 60_000 }, async () => {
    const tally = newTally();
    await fc.assert(
      fc.asyncProperty(webhookRequest, async (request) => {
        if (!(await sendAndCheck(target.app, request, tally))) return false;
        // Checked on every run, so a failure shrinks to the request that wrote the event.
        return (await target.redis.xlen('tidewater:events')) === 0;
      }),
      { numRuns: runs, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: false, endOnFailure: true },
    );

    console.info(`gateway fuzz: ${tally.requests} requests, answers ${JSON.stringify(tally.byStatus)}, ${tally.unsendable} unsendable`);
    expect(tally.serverErrors).toEqual([]);
    expect(tally.queuedAnswers).toBe(0);
    expect(await escapes(target.redis)).toEqual({ jobs: 0, events: 0, queueKeys: [] });
    expect(prototypePollution()).toEqual([]);
    expect(unexpected).toEqual([]);
    // Bounded in time: on a loaded machine fewer runs may fit, but a good share must have run.
    expect(tally.requests).toBeGreaterThanOrEqual(Math.min(runs, 200));
    // Every kind of answer the routes give was reached, not only the signature check's.
    const statuses = Object.keys(tally.byStatus).map(Number);
    expect(statuses).toEqual(expect.arrayContaining([400, 401, 415]));

    // The process stayed up and still does its job.
    expect((await target.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    const legitimate = await target.app.inject(target.legitimatePush());
    expect(legitimate.statusCode).toBe(202);
    expect(legitimate.json().queued).toHaveLength(1);
  });
});
