import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from '@tidewater/telemetry';

/** The syncer replica that runs watches, drift detection and self-heal holds this key. */
export const leaderKey = 'tidewater:syncer:leader';
/** INCR'd on every election: the fencing token of the current term (monotonic, never reused). */
export const leaderFenceKey = 'tidewater:syncer:leader:fence';

export interface LeaderElectionDeps {
  redis: Redis;
  logger: Logger;
  /** How long a leader's claim lasts without renewal (default 10 s): a killed leader is replaced within ttl + retry. */
  ttlMs?: number;
  /** How often a follower tries to take the lead (default 2 s); the leader renews every ttl / 4. */
  retryMs?: number;
  /** This replica's name in the key and the log (default hostname + pid + random suffix). */
  identity?: string;
  /** Called once this replica leads (term = its fencing token). */
  onElected(term: number): Promise<void> | void;
  /** Called once this replica no longer leads (renewal found the key gone or taken, or close()). */
  onDeposed(term: number): Promise<void> | void;
}

export interface LeaderElection {
  /** Tries to take the lead at once, then keeps trying (followers) or renewing (leader). */
  start(): Promise<void>;
  /** The fencing token of the term this replica leads, or undefined when it follows. */
  term(): number | undefined;
  /** Whether the key still names this replica's term (asked of Redis, not of memory): check before acting as leader. */
  stillLeads(): Promise<boolean>;
  identity: string;
  /** Gives the lead up (deletes the key if it is still ours) and stops trying. */
  close(): Promise<void>;
}

// Take the key when it is free; the fencing token is INCR'd in the same script, so each term has its own.
const claimScript = `
if redis.call('exists', KEYS[1]) == 1 then return 0 end
local term = redis.call('incr', KEYS[2])
redis.call('set', KEYS[1], term .. ':' .. ARGV[1], 'PX', ARGV[2])
return term`;
const renewScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
const releaseScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

/**
 * One leader among the syncer replicas, by a Redis key with a TTL and a fencing token (Redis's single-instance lock
 * with Kleppmann's fencing: every term gets a fresh INCR). No graceful release is needed: a killed leader's key
 * expires after `ttlMs` and a follower claims it at its next try. Leadership callbacks run one at a time.
 */
export function createLeaderElection(deps: LeaderElectionDeps): LeaderElection {
  const ttlMs = deps.ttlMs ?? 10_000;
  const retryMs = deps.retryMs ?? 2_000;
  const identity = deps.identity ?? `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const logger = deps.logger.child({ component: 'leader-election', replica: identity });
  let current: { term: number; value: string } | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let transitions: Promise<void> = Promise.resolve();

  function transition(step: () => Promise<void> | void): Promise<void> {
    transitions = transitions.then(step).catch((error: unknown) => logger.error({ reason: (error as Error).message }, 'leadership change failed'));
    return transitions;
  }

  async function depose(reason: string) {
    const lost = current;
    if (!lost) return;
    current = undefined;
    logger.warn({ term: lost.term, reason }, 'no longer the syncer leader');
    await transition(() => deps.onDeposed(lost.term));
  }

  async function tick() {
    if (closed) return;
    if (current) {
      const renewed = await deps.redis.eval(renewScript, 1, leaderKey, current.value, String(ttlMs)).catch(() => undefined);
      if (renewed === 0) await depose('the leader key expired or was taken');
      // Redis unreachable (undefined): keep leading until the key's TTL would have run out, then step down.
      else if (renewed === undefined && Date.now() - lastRenewedAt > ttlMs) await depose('redis unreachable for longer than the lease');
      else if (renewed === 1) lastRenewedAt = Date.now();
      return;
    }
    const claimed = await deps.redis.eval(claimScript, 2, leaderKey, leaderFenceKey, identity, String(ttlMs)).catch(() => 0);
    const term = Number(claimed);
    if (term > 0 && !closed) {
      current = { term, value: `${term}:${identity}` };
      lastRenewedAt = Date.now();
      logger.info({ term }, 'elected syncer leader');
      await transition(() => deps.onElected(term));
    }
  }
  let lastRenewedAt = 0;

  function schedule() {
    if (closed) return;
    timer = setTimeout(() => {
      void tick().finally(schedule);
    }, current ? Math.max(250, Math.floor(ttlMs / 4)) : retryMs);
    timer.unref();
  }

  return {
    identity,
    async start() {
      await tick();
      schedule();
    },
    term: () => current?.term,
    async stillLeads() {
      if (!current) return false;
      return (await deps.redis.get(leaderKey)) === current.value;
    },
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      const held = current;
      await depose('shutting down');
      if (held) await deps.redis.eval(releaseScript, 1, leaderKey, held.value).catch(() => undefined);
      await transitions;
    },
  };
}
