import fc from 'fast-check';
import {
  escapes, newTally, prototypePollution, sendAndCheck, startFuzzTarget,
  webhookRequest,
} from '../test/security/gateway-fuzz-support.ts';
import { machineLine } from './measure/machine.ts';
import { fixed, printTable } from './measure/table.ts';

export const description = '10,000 random webhook requests (fast-check) through the real gateway on real Redis: 5xx, jobs, events, crashes';

const requests = Number(process.env.BENCH_FUZZ_REQUESTS ?? 10_000);
const timeLimitMs = Number(process.env.BENCH_FUZZ_TIME_LIMIT_MS ?? 600_000);

/**
 * The gateway fuzz of test/security/gateway-fuzz.test.ts, at 10,000 requests (`npm run bench -- fuzz`).
 * Every request is checked as it is answered; what reached Redis is counted at the end. Exit code 1 when
 * anything escaped. No peer: this is a robustness run, recorded with the benchmarks for its numbers.
 */
export async function run(): Promise<void> {
  console.log(machineLine());
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  const target = await startFuzzTarget({ maxBodyBytes: 8 * 1024 });
  const tally = newTally();
  const started = performance.now();
  let failure: unknown;
  try {
    await fc.assert(
      fc.asyncProperty(webhookRequest, async (request) => sendAndCheck(target.app, request, tally)),
      { numRuns: requests, interruptAfterTimeLimit: timeLimitMs, markInterruptAsFailure: true, endOnFailure: true },
    );
  } catch (error) {
    failure = error;
  }
  const seconds = (performance.now() - started) / 1000;
  const escaped = await escapes(target.redis);
  const healthy = (await target.app.inject({ method: 'GET', url: '/healthz' })).statusCode === 200;
  const legitimate = await target.app.inject(target.legitimatePush());
  const stillQueues = legitimate.statusCode === 202 && (legitimate.json() as { queued: unknown[] }).queued.length === 1;
  await target.stop();
  process.off('uncaughtException', onCrash);
  process.off('unhandledRejection', onCrash);

  const serverErrors = Object.entries(tally.byStatus).filter(([status]) => Number(status) >= 500).reduce((sum, [, count]) => sum + count, 0);
  console.log(`fuzz: ${tally.requests} requests in ${fixed(seconds)} s (${fixed(tally.requests / seconds, 0)} req/s), redis ${target.redisServer.backend}, answers ${JSON.stringify(tally.byStatus)}`);
  printTable(
    ['requests sent', 'unsendable', '5xx', 'jobs queued', 'events written', 'crashes', 'prototype polluted', 'still healthy', 'duration (s)'],
    [[tally.requests, tally.unsendable, serverErrors, escaped.jobs, escaped.events, crashes.length, prototypePollution().length, healthy && stillQueues ? 'yes' : 'NO', fixed(seconds)]],
  );
  console.log(`BENCH fuzz requests=${tally.requests} server_errors=${serverErrors} jobs=${escaped.jobs} events=${escaped.events} crashes=${crashes.length} seconds=${fixed(seconds)}`);
  if (failure !== undefined || serverErrors > 0 || escaped.jobs > 0 || escaped.events > 0 || escaped.queueKeys.length > 0 || crashes.length > 0 || !healthy || !stillQueues) {
    if (failure !== undefined) console.error(failure);
    throw new Error('the fuzz found a 5xx, a job, an event or a crash (see above)');
  }
}
