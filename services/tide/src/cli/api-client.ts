import { CliError, exitCodes } from './exit-codes.ts';

/** An error answer of the API: its status and message (which names the field, permission or resource). */
export class ApiResponseError extends CliError {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message, status === 404 ? exitCodes.resourceDoesNotExist : exitCodes.apiResponse);
    this.name = 'ApiResponseError';
    this.status = status;
  }
}

export interface ApiClient {
  server: string;
  request<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Opens a Server-Sent Events stream and calls `onEvent` per event until the signal aborts or the server ends it. */
  stream(path: string, onEvent: (name: string, data: unknown) => void, signal?: AbortSignal): Promise<void>;
}

/** The CLI's only way to Tidewater: HTTP to the API with a bearer token. */
export function createApiClient(server: string, authToken?: string): ApiClient {
  const base = server.replace(/\/+$/, '');
  const headers = (extra: Record<string, string> = {}) => ({ ...(authToken ? { authorization: `Bearer ${authToken}` } : {}), ...extra });

  async function send(path: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(`${base}${path}`, init);
    } catch (error) {
      throw new CliError(`cannot reach ${base}: ${(error as Error & { cause?: Error }).cause?.message ?? (error as Error).message}`, exitCodes.connectionFailure);
    }
  }

  return {
    server: base,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const response = await send(path, {
        method, headers: headers(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      if (!response.ok) {
        const message = (parsed as { message?: string } | undefined)?.message ?? `${response.status} ${response.statusText}`;
        throw new ApiResponseError(response.status, message);
      }
      return parsed as T;
    },
    async stream(path, onEvent, signal) {
      const response = await send(path, { headers: headers({ accept: 'text/event-stream' }), ...(signal ? { signal } : {}) });
      if (!response.ok || !response.body) {
        const body = await response.json().catch(() => undefined) as { message?: string } | undefined;
        throw new ApiResponseError(response.status, body?.message ?? `${response.status} ${response.statusText}`);
      }
      const decoder = new TextDecoder();
      let buffer = '';
      try {
        for await (const chunk of response.body) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const name = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (name && data) onEvent(name, JSON.parse(data));
          }
        }
      } catch (error) {
        if (!signal?.aborted) throw error;
      }
    },
  };
}
