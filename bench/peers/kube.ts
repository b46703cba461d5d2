import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import type { TestCluster } from '../../test/harness/src/index.ts';
import type { ManagedProcess } from '../../test/harness/src/process.ts';

/** The API requests every peer harness offers its benchmark: reads of status, out-of-band edits. */
export interface PeerKubeClient {
  /** Server-side apply of one manifest. */
  apply(manifest: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** GET of an API path; undefined on 404. */
  get<T>(path: string): Promise<T | undefined>;
  /** Any API request (for out-of-band edits); resolves with status and parsed body. */
  request<T>(method: string, path: string, body: unknown, contentType: string): Promise<{ status: number; body: T }>;
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
