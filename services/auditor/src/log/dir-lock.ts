import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { AuditLogLockedError } from './storage-errors.ts';

interface LockOwner {
  pid: number;
  host: string;
}

/** The holder touches the lock this often; a lock from another host untouched for `staleAfterMs` is stale. */
const heartbeatMs = 10_000;
const staleAfterMs = 30_000;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes `auditor.lock` in the audit directory. A lock left by a dead process (same host and pid gone, or
 * another host — a rescheduled pod — that stopped refreshing it 30 s ago) is taken over; a live holder,
 * including another log opened by this same process, is refused.
 */
export function lockAuditDir(dir: string): { release(): void } {
  const path = join(dir, 'auditor.lock');
  const me: LockOwner = { pid: process.pid, host: hostname() };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, JSON.stringify(me), { flag: 'wx' });
      const heartbeat = setInterval(() => {
        const now = new Date();
        try {
          utimesSync(path, now, now);
        } catch {
          // the directory went away; the next append reports the storage problem
        }
      }, heartbeatMs);
      heartbeat.unref();
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          clearInterval(heartbeat);
          rmSync(path, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: LockOwner | undefined;
    let ageMs = 0;
    try {
      owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
      ageMs = Date.now() - statSync(path).mtimeMs;
    } catch {
      owner = undefined; // unreadable or half-written: stale
    }
    if (owner && owner.host === me.host && alive(owner.pid)) throw new AuditLogLockedError(dir, `pid ${owner.pid}`);
    if (owner && owner.host !== me.host && ageMs < staleAfterMs) throw new AuditLogLockedError(dir, `pid ${owner.pid} on ${owner.host}`);
    rmSync(path, { force: true });
  }
  throw new AuditLogLockedError(dir, 'another process that took the lock at the same time');
}
