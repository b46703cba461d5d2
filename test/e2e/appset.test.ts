import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { Redis } from 'ioredis';
import { eventTypes } from '@tidewater/events';
import { readGeneratedApplicationSets } from '@tidewater/queues';
import { waitFor } from '../harness/src/index.ts';
import { startTidewaterEnvironment, type TidewaterEnvironment } from './environment.ts';
import { eventsOf } from './helpers.ts';

// A git-directories ApplicationSet through the whole loop: push → gateway webhook → renderer evaluates the
// generator and publishes the set → the new Applications render and sync; an empty result keeps them.

const appset = (repoURL: string) => `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: teams}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators:
  - git:
      repoURL: ${repoURL}
      revision: main
      directories: [{path: 'teams/*'}, {path: teams/archived, exclude: true}]
  template:
    metadata: {name: 'team-{{ .path.basename }}'}
    spec:
      project: default
      source: {repoURL: '${repoURL}', targetRevision: main, path: '{{ .path.path }}'}
      destination: {server: 'https://kubernetes.default.svc', namespace: 'team-{{ .path.basename }}'}
      syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}
`;

const configMap = (value: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: team}\ndata: {value: ${value}}\n`;

describe('git ApplicationSet end to end', () => {
  let env: TidewaterEnvironment;
  let redis: Redis;
  let core: CoreV1Api;

  beforeAll(async () => {
    env = await startTidewaterEnvironment({ seedRepository: false });
    redis = new Redis(env.redis.url);
    core = env.cluster.kubeConfig.makeApiClient(CoreV1Api);
    await env.writeConfig('appset.yaml', appset(env.repo.url));
  }, 180_000);

  afterAll(async () => {
    redis?.disconnect();
    await env?.stop();
  });

  const valueIn = async (namespace: string) => {
    try {
      return (await core.readNamespacedConfigMap({ name: 'team', namespace })).data?.value;
    } catch {
      return undefined;
    }
  };

  it('a pushed directory becomes an applied Application', async () => {
    await env.repo.commit({ 'teams/red/cm.yaml': configMap('red'), 'teams/blue/cm.yaml': configMap('blue'), 'teams/archived/cm.yaml': configMap('old') }, 'two teams');
    await waitFor('team-red and team-blue applied', async () => (await valueIn('team-red')) === 'red' && (await valueIn('team-blue')) === 'blue', { timeoutMs: 90_000 });
    await env.repo.commit({ 'teams/green/cm.yaml': configMap('green') }, 'a third team');
    await waitFor('team-green applied', async () => (await valueIn('team-green')) === 'green', { timeoutMs: 90_000 });
    expect(await valueIn('team-archived')).toBeUndefined();
    const { sets } = await readGeneratedApplicationSets(redis, ['teams']);
    expect(sets[0]?.applications.map((application) => (application.metadata as { name: string }).name)).toEqual(['team-blue', 'team-green', 'team-red']);
  }, 200_000);

  it('a changed ApplicationSet in a configuration reload takes effect without a push', async () => {
    await env.writeConfig('appset.yaml', appset(env.repo.url).replace("name: 'team-{{ .path.basename }}'}", "name: 'team-{{ .path.basename }}', labels: {tier: gold}}"));
    await waitFor('the republished set to carry the new label', async () => {
      const { sets } = await readGeneratedApplicationSets(redis, ['teams']);
      const labels = sets[0]?.applications.map((application) => (application.metadata as { labels?: Record<string, string> }).labels?.tier);
      return labels?.length === 3 && labels.every((label) => label === 'gold');
    }, { timeoutMs: 30_000 });
  }, 60_000);

  it('a push that empties the generator keeps every Application and reports it', async () => {
    await env.repo.commit({ 'teams/red/cm.yaml': null, 'teams/blue/cm.yaml': null, 'teams/green/cm.yaml': null }, 'oops: everything removed');
    const failed = await waitFor('applicationset.failed', async () => {
      const events = (await eventsOf(redis, eventTypes.applicationSetFailed)).filter((event) => event.subject === 'teams');
      return events.length > 0 ? events : undefined;
    }, { timeoutMs: 60_000 });
    expect(String(failed[0].data.problem)).toContain('generators returned no Application where there were 3');
    const { sets } = await readGeneratedApplicationSets(redis, ['teams']);
    expect(sets[0]?.applications).toHaveLength(3);
    expect(await valueIn('team-red')).toBe('red');
  }, 120_000);

  it('a list ApplicationSet with a missing parameter is reported as an event naming the element and the key', async () => {
    await env.writeConfig('broken.yaml', `
apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: broken}
spec:
  goTemplate: true
  goTemplateOptions: ["missingkey=error"]
  generators: [{list: {elements: [{name: a, region: eu}, {name: b}]}}]
  template:
    metadata: {name: '{{ .name }}-{{ .region }}'}
    spec:
      project: default
      source: {repoURL: 'https://git.example/x.git', path: p}
      destination: {server: 'https://kubernetes.default.svc', namespace: ns}
`);
    const failed = await waitFor('applicationset.failed for broken', async () => {
      const events = (await eventsOf(redis, eventTypes.applicationSetFailed)).filter((event) => event.subject === 'broken');
      return events.length > 0 ? events : undefined;
    }, { timeoutMs: 30_000 });
    expect(failed[0].data.problem).toBe('element 1 (name b): map has no entry for key "region" (parameter .region)');
    expect(env.config().applications.some((application) => application.metadata.name === 'a-eu')).toBe(false);
  }, 60_000);

  it('Flux GitRepository + Kustomization: name prefix, target namespace, patches and postBuild substitution reach the cluster', async () => {
    await env.writeConfig('flux.yaml', `
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: platform, namespace: flux-system}
spec: {url: '${env.repo.url}', ref: {branch: main}, interval: 1m0s}
---
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: flux-web, namespace: flux-system}
spec:
  sourceRef: {kind: GitRepository, name: platform}
  path: ./flux/web
  prune: true
  targetNamespace: flux-web
  namePrefix: tw-
  postBuild: {substitute: {cluster_env: prod, replicas: '3'}}
  patches:
  - target: {kind: ConfigMap, name: tw-settings}
    patch: |
      - {op: add, path: /data/patched, value: "by-flux-\${cluster_env}"}
`);
    await env.repo.commit({
      'flux/web/kustomization.yaml': 'resources: [cm.yaml]\n',
      'flux/web/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {env: "${cluster_env}", replicas: "${replicas}", region: "${region:=eu-west-1}", script: "echo $HOME"}\n',
    }, 'flux web');
    const data = await waitFor('the Flux Kustomization applied', async () => {
      try {
        return (await core.readNamespacedConfigMap({ name: 'tw-settings', namespace: 'flux-web' })).data;
      } catch {
        return undefined;
      }
    }, { timeoutMs: 90_000 });
    expect(data).toEqual({ env: 'prod', replicas: '3', region: 'eu-west-1', script: 'echo $HOME', patched: 'by-flux-prod' });
  }, 120_000);
});
