// Door: the renderer's checkout is a sandbox (issue 8, item 1). A hostile repository, pushed to the real git
// server and delivered as a signed webhook, tries to read files of the host into a bundle: a Helm chart whose
// files/ holds symlinks to a host file and to /proc/self/environ, kustomize references outside the repository
// and to remote bases, a Helm file:// dependency outside the repository, a value file outside it. Every render is
// refused permanently with an event that says why, and the host content is in no bundle in Redis and no object
// in the real kube-apiserver, while a benign application of the same push reaches the cluster.
import { randomBytes } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { eventTypes } from '@tidewater/events';
import { jobIds, queueNames } from '@tidewater/queues';
import { makeWorkDir, waitFor, type GitRepo } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from '../e2e/environment.ts';
import { eventsOf, jobIdsIn, waitForSync } from '../e2e/helpers.ts';

const hostSecret = `tidewater-host-secret-${randomBytes(8).toString('hex')}`;
/** Only helm's own environment has this variable: seeing it means /proc/self/environ was read. */
const environMarker = 'HELM_CACHE_HOME=';

const application = (name: string, repoURL: string, source: string, namespace = 'sandbox-attacks') => `---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  project: default
  source:
    repoURL: ${repoURL}
    targetRevision: main
${source.trim().split('\n').map((line) => `    ${line}`).join('\n')}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${namespace}
  syncPolicy:
    automated: {prune: true}
    syncOptions: [CreateNamespace=true]
`;

const leakTemplate = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-leak
data:
  host: {{ .Files.Get "files/host.txt" | quote }}
  environ: {{ .Files.Get "files/environ" | quote }}
`;

describe('renderer door: the checkout is a sandbox (full loop: git push → gateway → renderer → syncer → kube-apiserver)', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let core: CoreV1Api;
  let pathsRepo: GitRepo;
  let symlinkSha: string;
  let pathsSha: string;
  const host = makeWorkDir('host-files');
  const secretEnv = `TIDEWATER_SECRET_SANDBOX_TEST_${randomBytes(4).toString('hex').toUpperCase()}`;

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ seedRepository: false });
    redis = new Redis(env.redis.url);
    core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);

    // Files of "the host": a secret file, a kustomization and a chart outside every repository.
    writeFileSync(join(host.dir, 'host.txt'), `${hostSecret}\n`);
    mkdirSync(join(host.dir, 'kbase'));
    writeFileSync(join(host.dir, 'kbase/kustomization.yaml'), 'resources: [cm.yaml]\n');
    writeFileSync(join(host.dir, 'kbase/cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: host-kbase}\ndata: {secret: ${hostSecret}}\n`);
    mkdirSync(join(host.dir, 'hostchart/templates'), { recursive: true });
    writeFileSync(join(host.dir, 'hostchart/Chart.yaml'), 'apiVersion: v2\nname: hostchart\nversion: 0.1.0\n');
    writeFileSync(join(host.dir, 'hostchart/templates/cm.yaml'), `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: host-chart}\ndata: {secret: ${hostSecret}}\n`);
    writeFileSync(join(host.dir, 'values.yaml'), `secret: ${hostSecret}\n`);

    // A second repository (its own webhook secret) for the path attacks and a benign application.
    pathsRepo = env.git.createRepo('hostile/paths');
    process.env[secretEnv] = env.webhookSecret;
    pathsRepo.setWebhook({ url: `${env.gatewayUrl}/webhooks/git/github`, secret: env.webhookSecret });

    await env.writeConfig('sandbox-attacks.yaml', [
      `apiVersion: tidewater.dev/v1alpha1\nkind: Repository\nmetadata: {name: hostile-paths}\nspec:\n  url: ${pathsRepo.url}\n  webhookSecretRef: {env: ${secretEnv}}\n`,
      application('leak-helm-symlinks', env.repo.url, 'path: attacks/helm-symlinks'),
      application('plain-in-symlink-repo', env.repo.url, 'path: attacks/plain'),
      application('benign', pathsRepo.url, 'path: apps/benign', 'sandbox-benign'),
      application('kustomize-outside', pathsRepo.url, 'path: kustomize/outside'),
      application('kustomize-absolute', pathsRepo.url, 'path: kustomize/absolute'),
      application('kustomize-remote', pathsRepo.url, 'path: kustomize/remote'),
      application('kustomize-remote-file', pathsRepo.url, 'path: kustomize/remote-file'),
      application('helm-file-dependency', pathsRepo.url, 'path: charts/file-dependency'),
      application('helm-value-file-outside', pathsRepo.url, `path: charts/plain\nhelm:\n  valueFiles: [../../${'../'.repeat(8)}${host.dir.slice(1)}/values.yaml]`),
    ].join(''));

    // The symlink repository: a chart reading a host file and the renderer's environment through files/.
    const tree = makeWorkDir('symlink-tree');
    try {
      const chart = join(tree.dir, 'helm-symlinks');
      mkdirSync(join(chart, 'templates'), { recursive: true });
      mkdirSync(join(chart, 'files'));
      writeFileSync(join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: leak\nversion: 0.1.0\n');
      writeFileSync(join(chart, 'templates/cm.yaml'), leakTemplate);
      symlinkSync(join(host.dir, 'host.txt'), join(chart, 'files/host.txt'));
      symlinkSync('/proc/self/environ', join(chart, 'files/environ'));
      mkdirSync(join(tree.dir, 'plain'));
      writeFileSync(join(tree.dir, 'plain/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\n');
      symlinkSync(join(host.dir, 'host.txt'), join(tree.dir, 'plain/host.yaml'));
      symlinkSync('/proc/self/environ', join(tree.dir, 'plain/environ.yaml'));
      symlinkSync('../../../../../../../../../../../../../../../../etc', join(tree.dir, 'plain/etc'));
      symlinkSha = (await env.repo.commitDirectory(tree.dir, 'Add charts that read host files', { prefix: 'attacks' })).sha;
    } finally {
      tree.remove();
    }

    // The path attacks: every reference that would leave the repository or reach the network.
    const rendererTree = join(dirname(env.configDir), 'renderer-cache/work/render-XXXXXX/tree/kustomize/outside');
    const climbToHost = relative(rendererTree, join(host.dir, 'kbase'));
    pathsSha = (await pathsRepo.commit({
      'apps/benign/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: benign}\ndata: {fine: "yes"}\n',
      'kustomize/outside/kustomization.yaml': `resources:\n  - ${climbToHost}\n`,
      'kustomize/absolute/kustomization.yaml': `resources:\n  - ${join(host.dir, 'kbase')}\n`,
      'kustomize/remote/kustomization.yaml': 'resources:\n  - github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0\n',
      'kustomize/remote-file/kustomization.yaml': 'resources:\n  - https://raw.githubusercontent.com/kubernetes-sigs/kustomize/master/examples/helloWorld/configMap.yaml\n',
      'charts/file-dependency/Chart.yaml': `apiVersion: v2\nname: file-dependency\nversion: 0.1.0\ndependencies:\n  - name: hostchart\n    version: 0.1.0\n    repository: file://${join(host.dir, 'hostchart')}\n`,
      'charts/file-dependency/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: dep}\n',
      'charts/plain/Chart.yaml': 'apiVersion: v2\nname: plain\nversion: 0.1.0\n',
      'charts/plain/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain-chart}\ndata: {secret: {{ .Values.secret | default "none" | quote }}}\n',
    }, 'Add kustomizations and charts that reach outside the repository')).sha;
  });

  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
    delete process.env[secretEnv];
    host.remove();
  });

  /** The render job of `app` at `revision`, once it has finished (either way). */
  async function settled(app: string, revision: string): Promise<{ state: string; failedReason?: string; attemptsMade: number }> {
    const queue = new Queue(queueNames.render, { connection: redis });
    try {
      return await waitFor(`${app} render to finish`, async () => {
        // State first, then the job: a job read before it finished lacks its outcome.
        const state = await queue.getJobState(jobIds.render(app, revision));
        if (state !== 'completed' && state !== 'failed') return undefined;
        const job = (await queue.getJob(jobIds.render(app, revision)))!;
        return { state, failedReason: job.failedReason, attemptsMade: job.attemptsMade };
      }, { timeoutMs: 90_000, intervalMs: 100 });
    } finally {
      await queue.close();
    }
  }

  /** The reason of the failed render job of `app`, checked against its one failure event. */
  async function refusal(app: string, revision: string): Promise<string> {
    const outcome = await settled(app, revision);
    expect(outcome.state, `render of ${app}`).toBe('failed');
    // Failed once, permanently: no retries, no storm.
    expect(outcome.attemptsMade).toBe(1);
    const failures = await waitFor(`${app} render failed event`, async () => {
      const events = await eventsOf(redis, eventTypes.renderFailed, { app });
      return events.length ? events : undefined;
    }, { timeoutMs: 10_000, intervalMs: 50 });
    expect(failures.map((event) => event.data.reason)).toEqual([outcome.failedReason]);
    return outcome.failedReason!;
  }

  /** Redis keys (strings, hashes, lists, sets, streams) whose content holds `needle`. */
  async function redisKeysHolding(needle: string): Promise<string[]> {
    const holding: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'COUNT', '1000');
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        let content = '';
        if (type === 'string') content = (await redis.get(key)) ?? '';
        else if (type === 'hash') content = JSON.stringify(await redis.hgetall(key));
        else if (type === 'list') content = JSON.stringify(await redis.lrange(key, 0, -1));
        else if (type === 'set') content = JSON.stringify(await redis.smembers(key));
        else if (type === 'zset') content = JSON.stringify(await redis.zrange(key, '0', '-1'));
        else if (type === 'stream') content = JSON.stringify(await redis.xrange(key, '-', '+'));
        if (content.includes(needle)) holding.push(key);
      }
    } while (cursor !== '0');
    return holding;
  }

  async function clusterObjectsHolding(needle: string): Promise<string[]> {
    const [configMaps, secrets] = await Promise.all([core.listConfigMapForAllNamespaces(), core.listSecretForAllNamespaces()]);
    return [...configMaps.items, ...secrets.items]
      .filter((object) => JSON.stringify(object).includes(needle) || Object.values(object.data ?? {}).some((value) => Buffer.from(String(value), 'base64').toString('latin1').includes(needle)))
      .map((object) => `${object.metadata?.namespace}/${object.metadata?.name}`);
  }

  it('refuses a Helm chart whose files/ symlink to a host file and /proc/self/environ, naming repository, commit and paths', async () => {
    const reason = await refusal('leak-helm-symlinks', symlinkSha);
    expect(reason).toContain(`repository ${env.repo.url} commit ${symlinkSha}`);
    expect(reason).toContain('attacks/helm-symlinks/files/environ');
    expect(reason).toContain('attacks/helm-symlinks/files/host.txt');
    expect(reason).toContain('point outside the repository');
    expect(reason).not.toContain(hostSecret);
  });

  it('refuses the whole commit for any application of that repository, and names every escaping link', async () => {
    const reason = await refusal('plain-in-symlink-repo', symlinkSha);
    for (const path of ['attacks/plain/environ.yaml', 'attacks/plain/etc', 'attacks/plain/host.yaml']) expect(reason).toContain(path);
  });

  it('refuses kustomize references outside the repository (relative and absolute) and remote bases', async () => {
    expect(await refusal('kustomize-outside', pathsSha)).toMatch(new RegExp(`^repository ${pathsRepo.url} commit ${pathsSha}: kustomize/outside/kustomization.yaml references ".*kbase", which points outside the repository`));
    expect(await refusal('kustomize-absolute', pathsSha)).toContain('kustomize/absolute/kustomization.yaml references');
    expect(await refusal('kustomize-absolute', pathsSha)).toContain('is an absolute path');
    const remote = await refusal('kustomize-remote', pathsSha);
    expect(remote).toContain('"github.com/kubernetes-sigs/kustomize//examples/helloWorld?ref=v5.0.0", which is a remote base; set spec.allowRemoteBases: true on the Repository');
    expect(await refusal('kustomize-remote-file', pathsSha)).toContain('which is a remote base');
  });

  it('refuses a Helm file:// dependency outside the repository and a value file outside it', async () => {
    expect(await refusal('helm-file-dependency', pathsSha)).toContain(`chart charts/file-dependency dependency hostchart (file://${join(host.dir, 'hostchart')}) points outside the repository`);
    expect(await refusal('helm-value-file-outside', pathsSha)).toMatch(/helm value file .*values\.yaml points outside the repository/);
  });

  it('lets nothing of the host reach a bundle in Redis or an object in the cluster, and queues no sync for a refused render', async () => {
    // The benign application of the same push went all the way: the loop was live while the others were refused.
    const result = await waitForSync(redis, 'benign', pathsSha, 90_000);
    expect(result.phase).toBe('Succeeded');
    expect((await core.readNamespacedConfigMap({ name: 'benign', namespace: 'sandbox-benign' })).data).toEqual({ fine: 'yes' });

    const attacks: Array<[string, string]> = [
      ...['leak-helm-symlinks', 'plain-in-symlink-repo'].map((app): [string, string] => [app, symlinkSha]),
      ...['kustomize-outside', 'kustomize-absolute', 'kustomize-remote', 'kustomize-remote-file', 'helm-file-dependency', 'helm-value-file-outside']
        .map((app): [string, string] => [app, pathsSha]),
    ];
    // Leaks are looked for once every render has finished, whatever its outcome.
    for (const [app, revision] of attacks) await settled(app, revision);
    expect(await redisKeysHolding(hostSecret)).toEqual([]);
    expect(await redisKeysHolding(environMarker)).toEqual([]);
    expect(await clusterObjectsHolding(hostSecret)).toEqual([]);
    expect(await clusterObjectsHolding(environMarker)).toEqual([]);
    const syncJobs = await jobIdsIn(env.redis.url, 'sync');
    expect(syncJobs).toContain(jobIds.sync('benign', pathsSha));
    expect(syncJobs.filter((id) => !id.startsWith('sync:benign:'))).toEqual([]);
    await expect(core.readNamespace({ name: 'sandbox-attacks' })).rejects.toThrow();
    for (const [app, revision] of attacks) expect((await settled(app, revision)).state, app).toBe('failed');
    // Exactly one failure event per refused render: nothing retried.
    for (const app of ['leak-helm-symlinks', 'kustomize-outside', 'helm-file-dependency']) {
      expect(await eventsOf(redis, eventTypes.renderFailed, { app })).toHaveLength(1);
    }
  });
});
