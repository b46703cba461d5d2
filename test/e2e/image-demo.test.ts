import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { waitForSync } from './helpers.ts';

const run = promisify(execFile);

describe('README command 1\'s image flow: the demo environment with its registry, pushed to with umoci + skopeo', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let layout: string;

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ registry: true });
    redis = new Redis(env.redis.url);
    layout = mkdtempSync(join(tmpdir(), 'tidewater-oci-'));
    await waitForSync(redis, 'guestbook-dev', env.repo.head());
  });
  afterAll(async () => {
    redis?.disconnect();
    if (layout) rmSync(layout, { recursive: true, force: true });
    await env?.stop();
  });

  it('the printed commands push an image and the Deployment rolls out to it', async () => {
    const host = env.registry?.host as string;
    expect(env.config().imagePolicies?.map((policy) => policy.image)).toEqual([`${host}/demo/guestbook`]);
    const image = join(layout, 'img');
    await run('umoci', ['init', '--layout', image]);
    await run('umoci', ['new', '--image', `${image}:v1.1.0`]);
    await run('skopeo', ['copy', '--dest-tls-verify=false', `oci:${image}:v1.1.0`, `docker://${host}/demo/guestbook:v1.1.0`]);
    const apps = env.cluster.kubeConfig.makeApiClient(AppsV1Api);
    await waitFor('the Deployment to run the pushed image', async () =>
      (await apps.readNamespacedDeployment({ name: 'dev-guestbook', namespace: 'guestbook-dev' })).spec?.template.spec?.containers[0]?.image === `${host}/demo/guestbook:v1.1.0`,
    { timeoutMs: 60_000, intervalMs: 100 });
  });
});
