import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { performance } from 'node:perf_hooks';
import type { TestCluster } from '../../test/harness/src/index.ts';
import { waitFor } from '../../test/harness/src/index.ts';
import { raceExit, type ManagedProcess } from '../../test/harness/src/process.ts';
import { PeerFailure } from './peer-failure.ts';

/** The API requests every peer harness offers its benchmark: reads of status, out-of-band edits. */
export interface PeerKubeClient {
  /** Server-side apply of one manifest. */
  apply(manifest: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** GET of an API path; undefined on 404. */
  get<T>(path: string): Promise<T | undefined>;
  /** Any API request (for out-of-band edits); resolves with status and parsed body. */
  request<T>(method: string, path: string, body: unknown, contentType: string): Promise<{ status: number; body: T }>;
}

/** What every peer harness reports of its running processes. */
export interface RunningPeer {
  /** CPU seconds (user + system) the running processes have used so far, from /proc. */
  cpuSeconds(): number;
  /** Resident memory of the running processes, bytes. */
  rssBytes(): number;
  /** Throws a PeerFailure naming the process when one has exited. */
  assertRunning(): void;
  /** The last lines of every process's log, for a failure message. */
  tails(lines?: number): string;
}

/** RunningPeer over a peer's processes (`peer` names them in failures: `flux`, `argo-cd`). */
export function runningPeer(peer: string, processes: ReadonlyArray<{ name: string; process: ManagedProcess }>): RunningPeer {
  const stats = () => processes.map(({ process }) => procStat(process));
  return {
    cpuSeconds: () => stats().reduce((sum, stat) => sum + stat.cpuSeconds, 0),
    rssBytes: () => stats().reduce((sum, stat) => sum + stat.rssBytes, 0),
    assertRunning() {
      for (const { name, process } of processes) {
        if (process.child.exitCode !== null || process.child.signalCode !== null) {
          throw new PeerFailure(`${peer} ${name}`, `exited (${process.child.exitCode ?? process.child.signalCode}):\n${process.tail(15)}`);
        }
      }
    },
    tails: (lines = 8) => processes.map(({ name, process }) => `--- ${name}\n${process.tail(lines)}`).join('\n'),
  };
}

/**
 * Starts one peer process with `launch` (which picks its ports just before) and waits until `healthUrl` answers 200.
 * A port free a moment ago can be taken meanwhile (the peers' own outgoing connections draw local ports from the same
 * range), so a process that exits with "address already in use" is launched again on fresh ports, up to three times;
 * any other failure is a PeerFailure naming `who` with the process's last log lines.
 */
export async function startUntilReady<T>(who: string, launch: () => Promise<{ process: ManagedProcess; healthUrl: string; result: T }>): Promise<{ process: ManagedProcess; result: T }> {
  for (let attempt = 1; ; attempt += 1) {
    const { process, healthUrl, result } = await launch();
    try {
      await raceExit(process, waitFor(`${who} to be ready`, async () => {
        const response = await fetch(healthUrl).catch(() => undefined);
        return response?.status === 200;
      }, { timeoutMs: 120_000, intervalMs: 200 }));
      return { process, result };
    } catch (error) {
      const tail = process.tail(15);
      await process.stop();
      if (attempt < 3 && tail.includes('address already in use')) continue;
      throw new PeerFailure(who, `did not become ready: ${(error as Error).message}\n${tail}`);
    }
  }
}

/** The peer's CPU while it sits idle for `seconds`, as % of one core. */
export async function idleCpuPercent(peer: RunningPeer, seconds: number): Promise<number> {
  const cpuStart = peer.cpuSeconds();
  const wallStart = performance.now();
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  peer.assertRunning();
  return (peer.cpuSeconds() - cpuStart) / ((performance.now() - wallStart) / 1000) * 100;
}

/** Kept-alive connections: the benchmarks poll status every few ms, a TLS handshake each time would load the API server. */
const agent = new Agent({ keepAlive: true, maxSockets: 4 });

export function peerKubeClient(cluster: TestCluster): PeerKubeClient {
  return {
    apply: (manifest) => cluster.apply(manifest),
    async get<T>(path: string) {
      const response = await apiRequest(cluster, path);
      if (response.status === 404) return undefined;
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${response.body.slice(0, 300)}`);
      return JSON.parse(response.body) as T;
    },
    async request<T>(method: string, path: string, body: unknown, contentType: string) {
      const response = await apiRequest(cluster, path, { method, body: JSON.stringify(body), contentType });
      return { status: response.status, body: JSON.parse(response.body) as T };
    },
  };
}

/** Closes the kept-alive connections (when a peer stops). */
export function closePeerKubeClients(): void {
  agent.destroy();
}

/** utime + stime and RSS of a running process (Linux /proc; clock ticks at USER_HZ = 100). */
export function procStat(process: ManagedProcess): { cpuSeconds: number; rssBytes: number } {
  const pid = process.child.pid;
  if (pid === undefined) return { cpuSeconds: 0, rssBytes: 0 };
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime 15, rss (pages) 24.
    return { cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100, rssBytes: Number(fields[21]) * 4096 };
  } catch {
    return { cpuSeconds: 0, rssBytes: 0 };
  }
}

function apiRequest(cluster: TestCluster, path: string, send?: { method: string; body: string; contentType: string }): Promise<{ status: number; body: string }> {
  const current = cluster.kubeConfig.getCurrentCluster();
  const user = cluster.kubeConfig.getCurrentUser();
  if (!current) throw new Error('kubeconfig has no current cluster');
  const ca = current.caFile ? readFileSync(current.caFile, 'utf8') : current.caData ? Buffer.from(current.caData, 'base64').toString() : undefined;
  return new Promise((resolveRequest, reject) => {
    const req = request(`${current.server}${path}`, {
      agent, ca, timeout: 30_000, method: send?.method ?? 'GET',
      headers: { ...(user?.token ? { authorization: `Bearer ${user.token}` } : {}), ...(send ? { 'content-type': send.contentType } : {}) },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolveRequest({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${send?.method ?? 'GET'} ${path} timed out`)));
    req.on('error', reject);
    req.end(send?.body);
  });
}
