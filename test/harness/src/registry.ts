import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { freePort } from './ports.ts';
import { raceExit, startProcess } from './process.ts';
import { waitFor } from './wait.ts';
import { makeWorkDir } from './workdir.ts';

export interface RegistryOptions {
  /** Where the registry POSTs its notifications (Docker Distribution's `notifications.endpoints`). */
  notifyUrl?: string;
  /** Extra headers on each notification, e.g. `{ Authorization: 'Bearer …' }`. */
  notifyHeaders?: Record<string, string>;
  /** More notification endpoints beside `notifyUrl`, each with its own queue in the registry (e.g. a peer's receiver). */
  extraNotifyEndpoints?: ReadonlyArray<{ name: string; url: string; headers?: Record<string, string> }>;
}

export interface PushedImage {
  repository: string;
  tag: string;
  digest: string;
  /** `host:port/repository:tag`, as an image reference in a manifest would name it. */
  reference: string;
}

export interface TestRegistry {
  /** `127.0.0.1:port` */
  host: string;
  url: string;
  /** Pushes a small, valid single-layer image through the registry's v2 HTTP API (no Docker needed). */
  pushImage(repository: string, tag: string, options?: { content?: string }): Promise<PushedImage>;
  /**
   * Pushes a multi-platform image: one image manifest per platform (`os/arch[/variant]`, recorded in its config and in
   * the index), then an index (OCI image index, or a Docker manifest list with `format: 'docker'`) under `tag`.
   */
  pushIndex(repository: string, tag: string, platforms: readonly string[], options?: { format?: 'oci' | 'docker' }): Promise<PushedImage>;
  listTags(repository: string): Promise<string[]>;
  stop(): Promise<void>;
}

const sha256 = (data: Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/** One-file ustar archive: enough for a layer that real tools can unpack. */
function tarWithFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  const field = (offset: number, length: number, value: string) => header.write(value, offset, length, 'ascii');
  field(0, 100, name);
  field(100, 8, '0000644\0');
  field(108, 8, '0000000\0');
  field(116, 8, '0000000\0');
  field(124, 12, content.length.toString(8).padStart(11, '0') + '\0');
  field(136, 12, Math.floor(Date.now() / 1000).toString(8).padStart(11, '0') + '\0');
  field(148, 8, '        ');
  field(156, 1, '0');
  field(257, 6, 'ustar\0');
  field(263, 2, '00');
  let checksum = 0;
  for (const byte of header) checksum += byte;
  field(148, 8, checksum.toString(8).padStart(6, '0') + '\0 ');
  const padding = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, padding, Buffer.alloc(1024)]);
}

/** Debian's docker-registry (Docker Distribution) on a free loopback port, notifications to `notifyUrl`. */
export async function startRegistry(options: RegistryOptions = {}): Promise<TestRegistry> {
  const work = makeWorkDir('registry');
  const port = await freePort();
  const debugPort = await freePort();
  const host = `127.0.0.1:${port}`;
  const config = [
    'version: 0.1',
    'log: {level: info}',
    `storage: {filesystem: {rootdirectory: ${JSON.stringify(join(work.dir, 'storage'))}}, delete: {enabled: true}}`,
    `http: {addr: "${host}", secret: "${randomBytes(16).toString('hex')}", debug: {addr: "127.0.0.1:${debugPort}"}}`,
  ];
  const endpoints = [
    ...(options.notifyUrl ? [{ name: 'tidewater', url: options.notifyUrl, headers: options.notifyHeaders }] : []),
    ...(options.extraNotifyEndpoints ?? []),
  ];
  if (endpoints.length > 0) config.push('notifications:', '  events: {includereferences: true}', '  endpoints:');
  for (const endpoint of endpoints) {
    const headers = Object.entries(endpoint.headers ?? {}).map(([k, v]) => `${JSON.stringify(k)}: [${JSON.stringify(v)}]`).join(', ');
    config.push(
      `    - name: ${JSON.stringify(endpoint.name)}`,
      `      url: ${JSON.stringify(endpoint.url)}`,
      `      headers: {${headers}}`,
      '      timeout: 2s',
      '      threshold: 5',
      '      backoff: 1s',
      '      ignore: {mediatypes: [application/octet-stream], actions: [pull]}',
    );
  }
  const configPath = join(work.dir, 'config.yml');
  writeFileSync(configPath, config.join('\n') + '\n');
  const registry = startProcess('docker-registry', 'docker-registry', ['serve', configPath], { cwd: work.dir, logDir: work.dir });
  const url = `http://${host}`;
  await raceExit(registry, waitFor('docker-registry /v2/', async () => (await fetch(`${url}/v2/`)).status === 200, { timeoutMs: 20_000, intervalMs: 50 }));

  async function uploadBlob(repository: string, blob: Buffer): Promise<string> {
    const digest = sha256(blob);
    const exists = await fetch(`${url}/v2/${repository}/blobs/${digest}`, { method: 'HEAD' });
    if (exists.status === 200) return digest;
    const start = await fetch(`${url}/v2/${repository}/blobs/uploads/`, { method: 'POST' });
    if (start.status !== 202) throw new Error(`blob upload to ${repository} refused: ${start.status} ${await start.text()}`);
    const location = new URL(start.headers.get('location') ?? '', url);
    location.searchParams.set('digest', digest);
    const put = await fetch(location, { method: 'PUT', body: blob, headers: { 'content-type': 'application/octet-stream' } });
    if (put.status !== 201) throw new Error(`blob PUT to ${repository} failed: ${put.status} ${await put.text()}`);
    return digest;
  }

  /** One single-layer image manifest (Docker v2, or OCI for an index entry), under `tag` or by digest only. */
  async function pushSingle(repository: string, tag: string | undefined, content: string | undefined, platform?: { os: string; architecture: string; variant?: string }): Promise<{ digest: string; size: number }> {
    const layerTar = tarWithFile('tidewater.txt', Buffer.from(content ?? `${repository}:${tag ?? ''} ${randomBytes(4).toString('hex')}\n`));
    const layer = gzipSync(layerTar);
    const layerDigest = await uploadBlob(repository, layer);
    const configBlob = Buffer.from(JSON.stringify({
      architecture: platform?.architecture ?? 'amd64', os: platform?.os ?? 'linux', ...(platform?.variant ? { variant: platform.variant } : {}),
      created: new Date().toISOString(),
      config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: [sha256(layerTar)] },
    }));
    const configDigest = await uploadBlob(repository, configBlob);
    const oci = platform !== undefined;
    const mediaType = oci ? 'application/vnd.oci.image.manifest.v1+json' : 'application/vnd.docker.distribution.manifest.v2+json';
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: oci ? 'application/vnd.oci.image.config.v1+json' : 'application/vnd.docker.container.image.v1+json', size: configBlob.length, digest: configDigest },
      layers: [{ mediaType: oci ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
    }));
    const reference = tag ?? sha256(manifest);
    const response = await fetch(`${url}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body: manifest, headers: { 'content-type': mediaType } });
    if (response.status !== 201) throw new Error(`manifest PUT ${repository}:${reference} failed: ${response.status} ${await response.text()}`);
    return { digest: response.headers.get('docker-content-digest') ?? sha256(manifest), size: manifest.length };
  }

  return {
    host,
    url,
    async pushImage(repository, tag, pushOptions = {}) {
      const { digest } = await pushSingle(repository, tag, pushOptions.content);
      return { repository, tag, digest, reference: `${host}/${repository}:${tag}` };
    },
    async pushIndex(repository, tag, platforms, indexOptions = {}) {
      const docker = indexOptions.format === 'docker';
      const entries: Array<Record<string, unknown>> = [];
      for (const platform of platforms) {
        const [os, architecture, variant] = platform.split('/');
        // Each platform's manifest is pushed by digest only (as buildx does), so the tag names the index alone.
        const single = await pushSingle(repository, undefined, `${repository}:${tag} ${platform}\n`, { os, architecture, ...(variant ? { variant } : {}) });
        entries.push({
          mediaType: docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json',
          size: single.size, digest: single.digest, platform: { architecture, os, ...(variant ? { variant } : {}) },
        });
      }
      const mediaType = docker ? 'application/vnd.docker.distribution.manifest.list.v2+json' : 'application/vnd.oci.image.index.v1+json';
      const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType, manifests: entries }));
      const response = await fetch(`${url}/v2/${repository}/manifests/${tag}`, { method: 'PUT', body: index, headers: { 'content-type': mediaType } });
      if (response.status !== 201) throw new Error(`index PUT ${repository}:${tag} failed: ${response.status} ${await response.text()}`);
      const digest = response.headers.get('docker-content-digest') ?? sha256(index);
      return { repository, tag, digest, reference: `${host}/${repository}:${tag}` };
    },
    async listTags(repository) {
      const response = await fetch(`${url}/v2/${repository}/tags/list`);
      if (response.status === 404) return [];
      const body = (await response.json()) as { tags?: string[] | null };
      return body.tags ?? [];
    },
    async stop() {
      // docker-registry logs while it shuts down; the process helper ends its log file on 'exit', before the pipes
      // drain, which surfaced as an uncaught "write after end". Shutdown lines are not needed: stop piping first.
      registry.child.stdout?.unpipe();
      registry.child.stderr?.unpipe();
      registry.child.stdout?.resume();
      registry.child.stderr?.resume();
      await registry.stop();
      work.remove();
    },
  };
}
