import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { eventTypes, type CloudEvent } from '@tidewater/events';
import { queueNames } from '@tidewater/queues';
import { waitFor, type TestRegistry } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf } from './helpers.ts';

// A Kargo Warehouse (image subscription) + Stages + PromotionTask as Kargo's quickstart writes them, loaded unchanged:
// the Warehouse's `image:` source follows the registry through a derived image policy (`pipeline:<project>:<warehouse>`),
// so a real registry push makes freight, dev is promoted by the task's steps and, once healthy, staging.

const kargoDocuments = (repoURL: string, image: string) => `apiVersion: kargo.akuity.io/v1alpha1
kind: Project
metadata: {name: kargo-demo}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: ProjectConfig
metadata: {name: kargo-demo, namespace: kargo-demo}
spec:
  promotionPolicies:
  - {stageSelector: {name: dev}, autoPromotionEnabled: true}
  - {stageSelector: {name: staging}, autoPromotionEnabled: true}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Warehouse
metadata: {name: guestbook, namespace: kargo-demo}
spec:
  subscriptions:
  - image: {repoURL: ${image}, imageSelectionStrategy: SemVer, constraint: ^1.0.0}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: PromotionTask
metadata: {name: promote, namespace: kargo-demo}
spec:
  steps:
  - uses: git-clone
    config:
      repoURL: ${repoURL}
      checkout: [{branch: main, path: ./src}]
  - uses: kustomize-set-image
    as: update
    config:
      path: './src/apps/guestbook/overlays/\${{ ctx.stage }}'
      images:
      - image: registry.example.com/guestbook
        newName: ${image}
        tag: '\${{ imageFrom("${image}").Tag }}'
  - uses: git-commit
    as: commit
    config: {path: ./src, message: "\${{ task.outputs.update.commitMessage }}"}
  - uses: git-push
    config: {path: ./src}
  - uses: argocd-update
    config:
      apps:
      - name: 'guestbook-\${{ ctx.stage }}'
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: dev, namespace: kargo-demo}
spec:
  requestedFreight: [{origin: {kind: Warehouse, name: guestbook}, sources: {direct: true}}]
  promotionTemplate: {spec: {steps: [{task: {name: promote}}]}}
---
apiVersion: kargo.akuity.io/v1alpha1
kind: Stage
metadata: {name: staging, namespace: kargo-demo}
spec:
  requestedFreight: [{origin: {kind: Warehouse, name: guestbook}, sources: {stages: [dev]}}]
  promotionTemplate: {spec: {steps: [{task: {name: promote}}]}}
`;

describe('a Kargo Warehouse + Stages pipeline, as written, promotes on a registry push', () => {
  let env: TidewaterEnvironment;
  let registry: TestRegistry;
  let redis: Redis;
  let apps: AppsV1Api;
  let image: string;

  const deployedImage = async (namespace: string, name: string) => (await apps.readNamespacedDeployment({ name, namespace }).catch(() => undefined))?.spec?.template.spec?.containers[0]?.image;
  const available = async (namespace: string, name: string) => {
    const deployment = await apps.readNamespacedDeployment({ name, namespace }).catch(() => undefined);
    return deployment?.status?.conditions?.some((condition) => condition.type === 'Available' && condition.status === 'True') ?? false;
  };
  const waitForEvent = (type: string, match: (event: CloudEvent) => boolean) =>
    waitFor(`${type} event`, async () => (await eventsOf(redis, type)).find(match), { timeoutMs: 120_000, intervalMs: 200 });
  const fileAt = (path: string) => execFileSync('git', ['--git-dir', env.repo.gitDir, 'show', `main:${path}`], { encoding: 'utf8' });

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ registry: true, workloads: true });
    registry = env.registry!;
    image = `${registry.host}/demo/kargo-guestbook`;
    redis = new Redis(env.redis.url);
    apps = env.cluster.kubeConfig.makeApiClient(AppsV1Api);
    await env.writeConfig('kargo.yaml', kargoDocuments(env.repo.url, image));
    for (const [namespace, name] of [['guestbook-dev', 'dev-guestbook'], ['guestbook-staging', 'staging-guestbook']]) {
      await waitFor(`${name} available`, () => available(namespace, name), { timeoutMs: 120_000 });
    }
    await waitFor('pipeline consumer group', async () => {
      const groups = (await redis.xinfo('GROUPS', 'tidewater:events').catch(() => [])) as unknown[][];
      return groups.some((group) => group.includes('promoter-pipelines'));
    }, { timeoutMs: 10_000 });
  }, 300_000);
  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  it('loads the Kargo documents into one pipeline whose Warehouse image is followed by a derived policy', () => {
    const [pipeline] = env.config().pipelines ?? [];
    expect(pipeline).toMatchObject({ name: 'kargo-demo', origin: 'kargo' });
    expect(pipeline.spec.stages.map((stage) => [stage.name, stage.applications, stage.autoPromote])).toEqual([['dev', ['guestbook-dev'], true], ['staging', ['guestbook-staging'], true]]);
    expect(env.config().imagePolicies?.find((policy) => policy.id === 'pipeline:kargo-demo:guestbook')).toMatchObject({ image, writeBack: { method: 'freight' } });
  });

  it('push 1.2.0 → freight → dev promoted by the task and healthy → staging promoted', async () => {
    await registry.pushImage('demo/kargo-guestbook', '1.2.0');
    const created = await waitForEvent(eventTypes.freightCreated, (event) => event.data.pipeline === 'kargo-demo');
    const freight = String(created.data.freight);
    await waitForEvent(eventTypes.promotionSucceeded, (event) => event.data.pipeline === 'kargo-demo' && event.data.stage === 'dev' && event.data.freight === freight);
    expect(fileAt('apps/guestbook/overlays/dev/kustomization.yaml')).toContain(`newName: ${image}\n    newTag: 1.2.0`);
    await waitFor('dev runs 1.2.0 and is available', async () => (await deployedImage('guestbook-dev', 'dev-guestbook')) === `${image}:1.2.0` && available('guestbook-dev', 'dev-guestbook'), { timeoutMs: 120_000 });
    await waitForEvent(eventTypes.promotionSucceeded, (event) => event.data.pipeline === 'kargo-demo' && event.data.stage === 'staging' && event.data.freight === freight);
    expect(fileAt('apps/guestbook/overlays/staging/kustomization.yaml')).toContain(`newName: ${image}\n    newTag: 1.2.0`);
    await waitFor('staging runs 1.2.0', async () => (await deployedImage('guestbook-staging', 'staging-guestbook')) === `${image}:1.2.0`, { timeoutMs: 120_000 });
    // The derived policy wrote nothing itself: the only commits touching the overlays are the promotions'.
    const log = execFileSync('git', ['--git-dir', env.repo.gitDir, 'log', '--format=%s', 'main'], { encoding: 'utf8' });
    expect(log).not.toContain('automatic update');
  });

  it('a tag outside the Warehouse constraint makes no freight', async () => {
    await registry.pushImage('demo/kargo-guestbook', '2.0.0');
    // The push reaches the promoter as an image job of the derived policy, which decides against it (^1.0.0).
    const queue = new Queue(queueNames.image, { connection: { url: env.redis.url } });
    try {
      const job = await waitFor('the 2.0.0 image job finished', async () => {
        const jobs = await queue.getJobs(['completed', 'failed']);
        return jobs.find((candidate) => candidate.data.policy === 'pipeline:kargo-demo:guestbook' && candidate.data.tag === '2.0.0');
      }, { timeoutMs: 120_000, intervalMs: 200 });
      expect(job.returnvalue).toMatchObject({ outcome: 'unchanged' });
      expect(job.returnvalue.reason).toContain('2.0.0');
    } finally {
      await queue.close();
    }
    const freight = (await eventsOf(redis, eventTypes.freightCreated)).filter((event) => event.data.pipeline === 'kargo-demo');
    expect(freight).toHaveLength(1);
  });
});
