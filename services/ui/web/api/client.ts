import type { components } from './openapi.ts';

export type Application = components['schemas']['Application'];
export type ApplicationList = components['schemas']['ApplicationList'];
export type ResourceStatus = components['schemas']['ResourceStatus'];
/** A resource tree node: a managed resource (with sync status) or a live child with `parentRefs`. */
export type ResourceNode = components['schemas']['ResourceNode'];
export type KubernetesEvent = components['schemas']['KubernetesEvent'];
export type RevisionHistory = components['schemas']['RevisionHistory'];
export type StreamedEvent = components['schemas']['StreamedEvent'];
export type UserInfo = components['schemas']['UserInfo'];
export type ErrorBody = components['schemas']['Error'];

/** An API answer that was not 2xx, with the server's readable message (never a stack trace). */
export class ApiRequestError extends Error {
  readonly status: number;
  readonly path: string;
  readonly body: Partial<ErrorBody>;

  constructor(status: number, path: string, body: Partial<ErrorBody>) {
    super(describeError(status, path, body));
    this.name = 'ApiRequestError';
    this.status = status;
    this.path = path;
    this.body = body;
  }
}

function describeError(status: number, path: string, body: Partial<ErrorBody>): string {
  const what = `${path.split('?')[0]}`;
  if (status === 403 && body.permission) {
    const { resource, action, object } = body.permission;
    return `Permission denied: your roles do not allow "${action}" on ${resource} "${object}" (${what}). Ask an admin for a role with ${resource}, ${action}.`;
  }
  if (body.message) return `${body.message} (${status} from ${what})`;
  if (status === 0) return `The API did not answer (${what}): is Tidewater running?`;
  return `The API answered ${status} for ${what}`;
}

const tokenKey = 'tidewater.apiToken';

/** An API token pasted on the login page lives in this tab only; a password login uses the HttpOnly session cookie. */
export const bearerToken = {
  get: () => sessionStorage.getItem(tokenKey) ?? undefined,
  set: (token: string) => sessionStorage.setItem(tokenKey, token),
  clear: () => sessionStorage.removeItem(tokenKey),
};

function csrfToken(): string | undefined {
  const match = /(?:^|;\s*)tidewater\.csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : undefined;
}

/** Headers every call carries: the pasted token, or (for a mutating call with the cookie) the CSRF echo. */
export function authHeaders(method = 'GET'): Record<string, string> {
  const token = bearerToken.get();
  if (token) return { authorization: `Bearer ${token}` };
  const csrf = csrfToken();
  return method !== 'GET' && csrf ? { 'x-csrf-token': csrf } : {};
}

type UnauthenticatedListener = () => void;
const unauthenticatedListeners = new Set<UnauthenticatedListener>();
/** Called when any call answers 401: the session expired or was revoked. */
export function onUnauthenticated(listener: UnauthenticatedListener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Do not treat a 401 as an expired session (the login call itself). */
  quiet401?: boolean;
}

/** Calls the API (same origin) and parses JSON; throws ApiRequestError with the server's message. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const method = options.method ?? 'GET';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { ...authHeaders(method), ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiRequestError(0, path, {});
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = { message: text.slice(0, 200) };
  }
  if (!response.ok) {
    if (response.status === 401 && !options.quiet401) for (const listener of unauthenticatedListeners) listener();
    throw new ApiRequestError(response.status, path, (parsed ?? {}) as Partial<ErrorBody>);
  }
  return parsed as T;
}

/** `encodeURIComponent` for one path segment. */
export const segment = (value: string) => encodeURIComponent(value);
