import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { ExternalServiceError } from '../errors/external-service-error.ts';

export interface KubeRequest {
  method: 'GET' | 'PATCH' | 'DELETE' | 'POST' | 'PUT';
  /** API path with its query string, e.g. `/api/v1/namespaces/demo/configmaps/web?fieldManager=tidewater`. */
  path: string;
  body?: unknown;
  contentType?: string;
  accept?: string;
}

export interface KubeResponse<T = unknown> {
  status: number;
  /** Parsed JSON when the server answered JSON, else the raw text. */
  body: T;
}

/** HTTP to one Kubernetes API server over a pool of kept-alive connections. */
export interface KubeTransport {
  readonly clusterName: string;
  readonly server: string;
  /** Resolves with any HTTP status; rejects with ExternalServiceError when the server cannot be reached. */
  request<T = unknown>(request: KubeRequest): Promise<KubeResponse<T>>;
  close(): void;
}

export interface KubeTransportOptions {
  clusterName: string;
  kubeConfig: KubeConfig;
  /** Connections kept open to the server (default 32). */
  maxSockets?: number;
  /** Per-request deadline (default 30 s). */
  timeoutMs?: number;
}

// Exec plugins and token files may rotate credentials; re-read them this often (they are cached in between).
const credentialRefreshMs = 60_000;

interface PreparedConnection {
  agent: http.Agent;
  headers: Record<string, string>;
  preparedAt: number;
}

/**
 * KubeConfig (client-node) supplies TLS material and credentials: certificates, bearer tokens, exec plugins,
 * in-cluster service account. Requests go through one keep-alive agent per cluster because client-node 2.0's
 * generated clients open a new undici Agent, hence a new TLS connection, for every request, which makes a
 * 1,000-object sync handshake-bound.
 */
export function createKubeTransport(options: KubeTransportOptions): KubeTransport {
  const { clusterName, kubeConfig } = options;
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error(`kubeconfig for cluster ${clusterName} has no current cluster`);
  const server = cluster.server.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const plainHttp = server.startsWith('http:');
  let prepared: PreparedConnection | undefined;
  let preparing: Promise<PreparedConnection> | undefined;

  async function prepare(): Promise<PreparedConnection> {
    const requestOptions: https.RequestOptions = {};
    try {
      await kubeConfig.applyToHTTPSOptions(requestOptions);
    } catch (error) {
      throw new ExternalServiceError(`kubernetes cluster ${clusterName}`, `cluster ${clusterName}: cannot obtain credentials: ${(error as Error).message}`, { cause: error });
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(requestOptions.headers ?? {})) {
      if (value !== undefined) headers[name] = String(value);
    }
    if (requestOptions.auth) headers.Authorization = `Basic ${Buffer.from(requestOptions.auth).toString('base64')}`;
    const agentOptions: https.AgentOptions = {
      keepAlive: true,
      maxSockets: options.maxSockets ?? 32,
      ca: requestOptions.ca,
      cert: requestOptions.cert,
      key: requestOptions.key,
      pfx: requestOptions.pfx,
      passphrase: requestOptions.passphrase,
      servername: requestOptions.servername,
      ...(requestOptions.rejectUnauthorized !== undefined ? { rejectUnauthorized: requestOptions.rejectUnauthorized } : {}),
    };
    const agent = prepared?.agent ?? (plainHttp ? new http.Agent({ keepAlive: true, maxSockets: agentOptions.maxSockets }) : new https.Agent(agentOptions));
    return { agent, headers, preparedAt: Date.now() };
  }

  async function connection(): Promise<PreparedConnection> {
    if (prepared && Date.now() - prepared.preparedAt < credentialRefreshMs) return prepared;
    preparing ??= prepare().then((ready) => {
      prepared = ready;
      return ready;
    }).finally(() => {
      preparing = undefined;
    });
    return preparing;
  }

  function send<T>(ready: PreparedConnection, request: KubeRequest): Promise<KubeResponse<T>> {
    const payload = request.body === undefined ? undefined
      : typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
    const headers: Record<string, string | number> = {
      ...ready.headers,
      Accept: request.accept ?? 'application/json',
      'User-Agent': 'tidewater-syncer',
    };
    if (payload !== undefined) {
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    const transportModule = plainHttp ? http : https;
    return new Promise((resolveResponse, reject) => {
      const outgoing = transportModule.request(`${server}${request.path}`, {
        method: request.method, agent: ready.agent, headers, timeout: timeoutMs,
      }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('error', (error) => reject(unreachable(error)));
        incoming.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const isJson = (incoming.headers['content-type'] ?? '').includes('json');
          let body: unknown = text;
          if (isJson && text.length > 0) {
            try {
              body = JSON.parse(text);
            } catch {
              body = text;
            }
          }
          resolveResponse({ status: incoming.statusCode ?? 0, body: body as T });
        });
      });
      outgoing.on('timeout', () => outgoing.destroy(Object.assign(new Error(`no answer within ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
      outgoing.on('error', (error) => reject(unreachable(error)));
      outgoing.end(payload);
    });
  }

  function unreachable(error: Error): ExternalServiceError {
    const code = (error as NodeJS.ErrnoException).code;
    const detail = code && !error.message.includes(code) ? `${code} ${error.message}` : error.message;
    return new ExternalServiceError(`kubernetes cluster ${clusterName}`, `cluster ${clusterName} unreachable: ${detail}`, { cause: error });
  }

  return {
    clusterName,
    server,
    async request<T>(request: KubeRequest) {
      const ready = await connection();
      const response = await send<T>(ready, request);
      if (response.status === 401 && Date.now() - ready.preparedAt > 1_000) {
        // A rotated token: read the credentials again once before giving up.
        prepared = undefined;
        return send<T>(await connection(), request);
      }
      return response;
    },
    close() {
      prepared?.agent.destroy();
      prepared = undefined;
    },
  };
}
