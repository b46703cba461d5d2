import { ExternalServiceError, ImageUpdateError } from '../errors/promoter-errors.ts';

/** How one forge API is reached: its base URL and the authorization headers that go to that origin only. */
export interface ForgeHttp {
  fetch: typeof fetch;
  provider: string;
  /** `https://api.github.com`, `https://gitlab.example.com/api/v4`, `https://gitea.example.com/api/v1`. */
  apiUrl: string;
  repository: string;
  authHeaders: Record<string, string>;
  signal?: AbortSignal;
  timeoutMs?: number;
}

/**
 * One JSON request to the forge API. The URL is always under `apiUrl` (paths are built here, never taken from a
 * response), and redirects are not followed, so the token reaches only the API's origin. Network failures, 429 and
 * 5xx are retryable; other refusals are permanent and name the provider, repository, request and status, never the token.
 */
export async function forgeRequest<T>(http: ForgeHttp, method: 'GET' | 'POST' | 'PATCH' | 'PUT', path: string, body?: Record<string, unknown>): Promise<T> {
  const base = new URL(http.apiUrl.endsWith('/') ? http.apiUrl : `${http.apiUrl}/`);
  const url = new URL(path.replace(/^\/+/, ''), base);
  if (url.origin !== base.origin || !url.pathname.startsWith(base.pathname)) {
    throw new ImageUpdateError(`${http.provider} pull request for ${http.repository}: request path leaves the API URL; refused`);
  }
  const what = `${method} ${url.pathname}`;
  const signals = [AbortSignal.timeout(http.timeoutMs ?? 15_000), ...(http.signal ? [http.signal] : [])];
  let response: Response;
  try {
    response = await http.fetch(url, {
      method,
      redirect: 'manual',
      signal: AbortSignal.any(signals),
      headers: {
        accept: 'application/json',
        'user-agent': 'tidewater-promoter',
        ...(body ? { 'content-type': 'application/json' } : {}),
        ...http.authHeaders,
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
  } catch (error) {
    throw new ExternalServiceError(`${http.provider} API at ${base.host} could not be reached (${what} for ${http.repository})`, { cause: error });
  }
  const text = await response.text().catch(() => '');
  if (response.status >= 300 && response.status < 400) {
    throw new ImageUpdateError(`${http.provider} API answered ${what} for ${http.repository} with a redirect (${response.status}); redirects are not followed so the token stays with ${base.host}: set apiURL to the API's own address`);
  }
  if (response.status === 429 || response.status >= 500) {
    throw new ExternalServiceError(`${http.provider} API answered ${what} for ${http.repository} with ${response.status}`);
  }
  if (response.status >= 400) {
    throw new ImageUpdateError(`${http.provider} API refused ${what} for ${http.repository}: ${response.status}${describeRefusal(text)}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new ImageUpdateError(`${http.provider} API answered ${what} for ${http.repository} with a body that is not JSON`);
  }
}

/** The forge's own `message` (GitHub/Gitea/GitLab all use that key), shortened; never the request. */
function describeRefusal(text: string): string {
  try {
    const parsed = JSON.parse(text) as { message?: unknown; errors?: unknown };
    const message = Array.isArray(parsed.message) ? parsed.message.join('; ') : typeof parsed.message === 'string' ? parsed.message : undefined;
    const errors = Array.isArray(parsed.errors)
      ? parsed.errors.map((error) => (typeof error === 'object' && error && typeof (error as { message?: unknown }).message === 'string' ? (error as { message: string }).message : undefined)).filter(Boolean).join('; ')
      : '';
    const detail = [message, errors].filter(Boolean).join(': ');
    return detail ? ` (${detail.slice(0, 200)})` : '';
  } catch {
    return '';
  }
}
