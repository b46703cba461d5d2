import { ExternalServiceError, ImageUpdateError } from '../errors/promoter-errors.ts';

/** Manifest media types a tag may point at (single image or multi-platform index, Docker or OCI). */
export const manifestAccept = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** Registry hosts spoken to over plain HTTP (default: loopback hosts only). */
  insecureHosts?: readonly string[];
  credentials?: (host: string) => RegistryCredentials | undefined;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
  /** Most requests per registry host per minute (the policy's request budget); 0 = unlimited. */
  requestBudgetPerMinute?: number;
  /** Tags asked for per page of a listing (`n`); default 1000. */
  pageSize?: number;
}

export interface RegistryClient {
  /** The digest a tag points at now (one HEAD request, plus the token round trip on first use). */
  manifestDigest(image: string, tag: string, signal?: AbortSignal): Promise<string | undefined>;
  /** Every tag of the repository, following `Link` pagination. */
  listTags(image: string, signal?: AbortSignal): Promise<string[]>;
  /** When the image was built (its config's `created`; for an index, its first manifest's), if the registry says. */
  imageCreated(image: string, digest: string, signal?: AbortSignal): Promise<Date | undefined>;
  /**
   * The platforms (`os/arch[/variant]`) a manifest runs on: every entry of an index / manifest list, or the single
   * image's config `os`/`architecture`/`variant`. Attestation entries (`unknown/unknown`) are left out.
   */
  manifestPlatforms(image: string, digest: string, signal?: AbortSignal): Promise<string[]>;
}

/** `os/arch[/variant]` of a platform object as an index or an image config writes it. */
function platformName(platform: { os?: unknown; architecture?: unknown; variant?: unknown }): string | undefined {
  if (typeof platform.os !== 'string' || typeof platform.architecture !== 'string') return undefined;
  if (platform.os === 'unknown' || platform.architecture === 'unknown') return undefined;
  return [platform.os, platform.architecture, ...(typeof platform.variant === 'string' && platform.variant ? [platform.variant] : [])].join('/');
}

interface TokenCacheEntry {
  token: string;
  expiresAt: number;
}

/** Registry v2 API client: anonymous or basic credentials, the Bearer token flow, `Link` pagination, a request budget. */
export function createRegistryClient(options: RegistryClientOptions = {}): RegistryClient {
  const tokens = new Map<string, TokenCacheEntry>();
  const budget = new Map<string, { windowStart: number; used: number }>();
  const timeoutMs = options.timeoutMs ?? 10_000;

  const split = (image: string) => {
    const slash = image.indexOf('/');
    const host = image.slice(0, slash);
    const repository = image.slice(slash + 1);
    const registryHost = host === 'docker.io' ? 'registry-1.docker.io' : host;
    const insecure = options.insecureHosts?.includes(host) ?? false;
    const loopback = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(host);
    return { host, repository, base: `${insecure || loopback ? 'http' : 'https'}://${registryHost}` };
  };

  function spend(host: string): void {
    const perMinute = options.requestBudgetPerMinute ?? 0;
    if (perMinute <= 0) return;
    const now = Date.now();
    const entry = budget.get(host);
    if (!entry || now - entry.windowStart >= 60_000) {
      budget.set(host, { windowStart: now, used: 1 });
      return;
    }
    if (entry.used >= perMinute) throw new ExternalServiceError(`registry ${host}: request budget of ${perMinute} per minute is spent`);
    entry.used += 1;
  }

  async function send(url: string, init: RequestInit, host: string, signal?: AbortSignal): Promise<Response> {
    spend(host);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'follow' });
    } catch (error) {
      throw new ExternalServiceError(`registry ${host} could not be reached`, { cause: error });
    }
  }

  async function bearerToken(challenge: string, host: string, scope: string, signal?: AbortSignal): Promise<string> {
    const cached = tokens.get(`${host} ${scope}`);
    if (cached && cached.expiresAt > Date.now()) return cached.token;
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]));
    if (!params.realm) throw new ImageUpdateError(`registry ${host} asks for a token without a realm`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    url.searchParams.set('scope', params.scope ?? scope);
    const credentials = options.credentials?.(host);
    const headers: Record<string, string> = credentials ? { authorization: `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}` } : {};
    const response = await send(url.toString(), { headers }, host, signal);
    if (response.status === 401 || response.status === 403) throw new ImageUpdateError(`registry ${host} refused the token request (${response.status}): check the pull credentials`);
    if (!response.ok) throw new ExternalServiceError(`registry ${host} token endpoint answered ${response.status}`);
    const body = (await response.json()) as { token?: string; access_token?: string; expires_in?: number };
    const token = body.token ?? body.access_token;
    if (!token) throw new ExternalServiceError(`registry ${host} token endpoint returned no token`);
    tokens.set(`${host} ${scope}`, { token, expiresAt: Date.now() + Math.max(30, (body.expires_in ?? 60) - 10) * 1000 });
    return token;
  }

  /** One request with the auth dance: anonymous (or cached token) first, then the challenge's token flow. */
  async function request(image: string, path: string, init: RequestInit, signal?: AbortSignal): Promise<Response> {
    const { host, repository, base } = split(image);
    const scope = `repository:${repository}:pull`;
    const url = path.startsWith('http') ? path : `${base}${path}`;
    const cached = tokens.get(`${host} ${scope}`);
    const headers = new Headers(init.headers);
    if (cached && cached.expiresAt > Date.now()) headers.set('authorization', `Bearer ${cached.token}`);
    let response = await send(url, { ...init, headers }, host, signal);
    if (response.status === 401) {
      const challenge = response.headers.get('www-authenticate') ?? '';
      if (/^Bearer /i.test(challenge)) {
        headers.set('authorization', `Bearer ${await bearerToken(challenge, host, scope, signal)}`);
      } else {
        const credentials = options.credentials?.(host);
        if (!credentials) throw new ImageUpdateError(`registry ${host} needs credentials for ${repository}`);
        headers.set('authorization', `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`);
      }
      response = await send(url, { ...init, headers }, host, signal);
    }
    if (response.status === 429 || response.status >= 500) throw new ExternalServiceError(`registry ${host} answered ${response.status} for ${repository}`);
    if (response.status === 401 || response.status === 403) throw new ImageUpdateError(`registry ${host} refused access to ${repository} (${response.status})`);
    return response;
  }

  return {
    async manifestDigest(image, tag, signal) {
      const { repository } = split(image);
      const response = await request(image, `/v2/${repository}/manifests/${encodeURIComponent(tag)}`, { method: 'HEAD', headers: { accept: manifestAccept } }, signal);
      if (response.status === 404) return undefined;
      if (!response.ok) throw new ExternalServiceError(`registry answered ${response.status} for ${image}:${tag}`);
      return response.headers.get('docker-content-digest') ?? undefined;
    },
    async imageCreated(image, digest, signal) {
      const { repository } = split(image);
      const readJson = async (path: string, accept?: string) => {
        const response = await request(image, path, accept ? { headers: { accept } } : {}, signal);
        if (!response.ok) throw new ExternalServiceError(`registry answered ${response.status} for ${image}@${digest}`);
        return (await response.json()) as Record<string, unknown>;
      };
      let manifest = await readJson(`/v2/${repository}/manifests/${digest}`, manifestAccept);
      const manifests = manifest.manifests as Array<{ digest?: string }> | undefined;
      if (Array.isArray(manifests) && manifests[0]?.digest) manifest = await readJson(`/v2/${repository}/manifests/${manifests[0].digest}`, manifestAccept);
      const configDigest = (manifest.config as { digest?: string } | undefined)?.digest;
      if (!configDigest) return undefined;
      const config = await readJson(`/v2/${repository}/blobs/${configDigest}`);
      const created = typeof config.created === 'string' ? new Date(config.created) : undefined;
      return created && !Number.isNaN(created.getTime()) ? created : undefined;
    },
    async manifestPlatforms(image, digest, signal) {
      const { repository } = split(image);
      const readJson = async (path: string, accept?: string) => {
        const response = await request(image, path, accept ? { headers: { accept } } : {}, signal);
        if (!response.ok) throw new ExternalServiceError(`registry answered ${response.status} for ${image}@${digest}`);
        return (await response.json()) as Record<string, unknown>;
      };
      const manifest = await readJson(`/v2/${repository}/manifests/${digest}`, manifestAccept);
      if (Array.isArray(manifest.manifests)) {
        const entries = manifest.manifests as Array<{ platform?: { os?: unknown; architecture?: unknown; variant?: unknown } }>;
        return entries.flatMap((entry) => {
          const name = entry.platform ? platformName(entry.platform) : undefined;
          return name ? [name] : [];
        });
      }
      const configDigest = (manifest.config as { digest?: string } | undefined)?.digest;
      if (!configDigest) return [];
      const name = platformName(await readJson(`/v2/${repository}/blobs/${configDigest}`));
      return name ? [name] : [];
    },
    async listTags(image, signal) {
      const { repository, base } = split(image);
      const tags: string[] = [];
      let next: string | undefined = `/v2/${repository}/tags/list?n=${options.pageSize ?? 1000}`;
      for (let page = 0; next && page < 100; page++) {
        const response = await request(image, next, {}, signal);
        if (response.status === 404) return tags;
        if (!response.ok) throw new ExternalServiceError(`registry answered ${response.status} listing tags of ${image}`);
        const body = (await response.json()) as { tags?: string[] | null };
        tags.push(...(body.tags ?? []));
        const link = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '');
        const nextUrl = link ? new URL(link[1], base) : undefined;
        // A token is only ever sent to the registry that issued the listing.
        next = nextUrl && nextUrl.origin === new URL(base).origin ? nextUrl.toString() : undefined;
      }
      return tags;
    },
  };
}
