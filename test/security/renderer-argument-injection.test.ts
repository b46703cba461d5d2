// Door: no argument injection into git, helm or kustomize (issue 8, item 2). A hostile repository commits an
// executable script; Applications put flags where names belong (`helm.releaseName: --post-renderer=./evil.sh`,
// a namespace, kustomize options, a targetRevision that is a git option). Rendered by the real worker from the
// real render queue with real git, helm and kustomize: the script never runs (its marker file stays absent),
// each render fails once and permanently with the field named, and nothing is queued for sync.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RenderedBundle } from '@tidewater/queues';
import { makeWorkDir, startGitServer, type GitRepo, type GitServer } from '../harness/src/index.ts';
import { startRendererUnderAttack, type RendererUnderAttack } from './support/renderer-worker.ts';

const application = (name: string, repoURL: string, source: string, options: { namespace?: string; targetRevision?: string } = {}) => `---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  source:
    repoURL: ${repoURL}
    targetRevision: ${JSON.stringify(options.targetRevision ?? 'main')}
${source.trim().split('\n').map((line) => `    ${line}`).join('\n')}
  destination:
    server: https://kubernetes.default.svc
    namespace: ${JSON.stringify(options.namespace ?? 'injection')}
`;

describe('renderer door: no argument injection into git, helm or kustomize (real worker, git, helm, kustomize, Redis)', () => {
  let renderer: RendererUnderAttack;
  let git: GitServer;
  let repo: GitRepo;
  let sha: string;
  const work = makeWorkDir('injection');
  const marker = join(work.dir, 'evil-ran');
  const uploadPackMarker = join(work.dir, 'upload-pack-ran');

  beforeAll(async () => {
    [renderer, git] = await Promise.all([startRendererUnderAttack(), startGitServer()]);
    repo = git.createRepo('hostile/injection');
    // The repository's script: it would leave a marker and pass the manifests through (a working post-renderer).
    const tree = join(work.dir, 'tree');
    mkdirSync(join(tree, 'charts/evil/templates'), { recursive: true });
    writeFileSync(join(tree, 'charts/evil/Chart.yaml'), 'apiVersion: v2\nname: evil\nversion: 0.1.0\n');
    writeFileSync(join(tree, 'charts/evil/templates/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  value: {{ .Values.value | default "none" | quote }}\n');
    writeFileSync(join(tree, 'charts/evil/evil.sh'), `#!/bin/sh\ntouch '${marker}'\ncat\n`);
    chmodSync(join(tree, 'charts/evil/evil.sh'), 0o755);
    mkdirSync(join(tree, 'kustomize/app'), { recursive: true });
    writeFileSync(join(tree, 'kustomize/app/kustomization.yaml'), 'resources: [cm.yaml]\n');
    writeFileSync(join(tree, 'kustomize/app/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: kcm}\n');
    writeFileSync(join(tree, 'kustomize/app/evil.sh'), `#!/bin/sh\ntouch '${marker}'\n`);
    chmodSync(join(tree, 'kustomize/app/evil.sh'), 0o755);
    // A chart with a local (file://) dependency inside the repository: legitimate, still rendered.
    mkdirSync(join(tree, 'charts/parent/templates'), { recursive: true });
    mkdirSync(join(tree, 'charts/lib/templates'), { recursive: true });
    writeFileSync(join(tree, 'charts/parent/Chart.yaml'), 'apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n  - name: lib\n    version: 0.1.0\n    repository: file://../lib\n');
    writeFileSync(join(tree, 'charts/parent/templates/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: parent}\n');
    writeFileSync(join(tree, 'charts/lib/Chart.yaml'), 'apiVersion: v2\nname: lib\nversion: 0.1.0\n');
    writeFileSync(join(tree, 'charts/lib/templates/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lib}\n');
    // A kustomization whose transformer is a KRM exec function: the script, if kustomize ran plugins.
    mkdirSync(join(tree, 'kustomize/exec-function'), { recursive: true });
    writeFileSync(join(tree, 'kustomize/exec-function/kustomization.yaml'), 'resources: [cm.yaml]\ntransformers: [fn.yaml]\n');
    writeFileSync(join(tree, 'kustomize/exec-function/cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fn}\n');
    writeFileSync(join(tree, 'kustomize/exec-function/fn.yaml'),
      'apiVersion: example.com/v1\nkind: Evil\nmetadata:\n  name: evil\n  annotations:\n    config.kubernetes.io/function: |\n      exec:\n        path: ./evil.sh\n');
    writeFileSync(join(tree, 'kustomize/exec-function/evil.sh'), `#!/bin/sh\ntouch '${marker}'\ncat\n`);
    chmodSync(join(tree, 'kustomize/exec-function/evil.sh'), 0o755);
    sha = (await repo.commitDirectory(tree, 'A chart and a kustomization that carry a script')).sha;

    const url = repo.url;
    await renderer.writeConfig('apps.yaml', [
      application('release-name', url, 'path: charts/evil\nhelm:\n  releaseName: "--post-renderer=./evil.sh"'),
      application('default-release-name', url, 'path: charts/evil\nhelm:\n  valueFiles: []'),
      application('namespace', url, 'path: charts/evil\nhelm: {releaseName: ok}', { namespace: '--post-renderer=./evil.sh' }),
      application('parameter-name', url, 'path: charts/evil\nhelm:\n  releaseName: ok\n  parameters: [{name: "x,--post-renderer=./evil.sh", value: "1"}]'),
      application('value-file', url, 'path: charts/evil\nhelm:\n  releaseName: ok\n  valueFiles: ["--post-renderer=./evil.sh"]'),
      application('hostile-values-are-inert', url, 'path: charts/evil\nhelm:\n  releaseName: inert\n  parameters: [{name: value, value: "--post-renderer=./evil.sh"}]'),
      application('name-prefix', url, 'path: kustomize/app\nkustomize:\n  namePrefix: "--load-restrictor=LoadRestrictionsNone"'),
      application('name-suffix', url, 'path: kustomize/app\nkustomize:\n  nameSuffix: "-x --enable-exec"'),
      application('label-key', url, 'path: kustomize/app\nkustomize:\n  commonLabels: {"--enable-alpha-plugins": "x"}'),
      application('annotation-key', url, 'path: kustomize/app\nkustomize:\n  commonAnnotations: {"--enable-exec": "x"}'),
      application('image', url, 'path: kustomize/app\nkustomize:\n  images: ["--enable-helm"]'),
      application('kustomize-namespace', url, 'path: kustomize/app\nkustomize:\n  namespace: "--enable-exec"'),
      application('source-path', url, 'path: "--output=/tmp/x"'),
      application('target-revision', url, 'path: kustomize/app', { targetRevision: `--upload-pack=touch ${uploadPackMarker}` }),
      application('kustomize-exec-function', url, 'path: kustomize/exec-function'),
      application('helm-local-dependency', url, 'path: charts/parent\nhelm: {releaseName: parent}'),
      application('kustomize-suffix-dash', url, 'path: kustomize/app\nkustomize:\n  nameSuffix: "-dev"\n  namePrefix: tw-'),
    ].join(''));
  });

  afterAll(async () => {
    await renderer?.stop();
    await git?.stop();
    work.remove();
  });

  const refused: Array<[app: string, field: string]> = [
    ['release-name', 'spec.source.helm.releaseName "--post-renderer=./evil.sh" is refused: it is not a valid Helm release name'],
    ['namespace', 'spec.destination.namespace "--post-renderer=./evil.sh" is refused: it is not a DNS-1123 label'],
    ['parameter-name', 'spec.source.helm.parameters[0].name "x,--post-renderer=./evil.sh" is refused'],
    ['value-file', 'spec.source.helm.valueFiles[0] "--post-renderer=./evil.sh" is refused'],
    ['name-prefix', 'spec.source.kustomize.namePrefix "--load-restrictor=LoadRestrictionsNone" is refused'],
    ['name-suffix', 'spec.source.kustomize.nameSuffix "-x --enable-exec" is refused'],
    ['label-key', 'spec.source.kustomize.commonLabels key "--enable-alpha-plugins" is refused'],
    ['annotation-key', 'spec.source.kustomize.commonAnnotations key "--enable-exec" is refused'],
    ['image', 'spec.source.kustomize.images[0] "--enable-helm" is refused'],
    ['kustomize-namespace', 'spec.source.kustomize.namespace "--enable-exec" is refused'],
    ['source-path', 'spec.source.path "--output=/tmp/x" is refused'],
    ['target-revision', `spec.source.targetRevision "--upload-pack=touch ${uploadPackMarker}" is refused: it starts with "-"`],
  ];

  it.each(refused)('refuses %s before any tool runs, naming the field; failed once, permanently', async (app, expected) => {
    await renderer.requestRender(app, sha);
    const outcome = await renderer.settled(app, sha);
    expect(outcome.state).toBe('failed');
    expect(outcome.attemptsMade).toBe(1);
    expect(outcome.failedReason).toContain(`application ${app}: ${expected}`);
    expect(await renderer.failures(app)).toEqual([outcome.failedReason]);
  });

  it('runs no kustomize exec function from the repository: kustomize refuses it (no --enable-alpha-plugins/--enable-exec)', async () => {
    await renderer.requestRender('kustomize-exec-function', sha);
    const outcome = await renderer.settled('kustomize-exec-function', sha);
    expect(outcome.state).toBe('failed');
    expect(outcome.attemptsMade).toBe(1);
    expect(outcome.failedReason).toContain(`repository ${repo.url} commit ${sha}: kustomize build failed: Error: external plugins disabled`);
    expect(existsSync(marker)).toBe(false);
  });

  it('renders hostile-looking values as plain values: the script still does not run', async () => {
    await renderer.requestRender('hostile-values-are-inert', sha);
    const outcome = await renderer.settled('hostile-values-are-inert', sha);
    expect(outcome.state).toBe('completed');
    const { bundleKey } = outcome.result as { bundleKey: string };
    const bundle = JSON.parse((await renderer.redis.get(bundleKey))!) as RenderedBundle;
    expect(bundle.objects).toEqual([expect.objectContaining({ kind: 'ConfigMap', metadata: expect.objectContaining({ name: 'inert' }), data: { value: '--post-renderer=./evil.sh' } })]);
  });

  it('still renders legitimate values: the default release name, a kustomize name suffix starting with "-", a local chart dependency', async () => {
    await renderer.requestRender('default-release-name', sha);
    await renderer.requestRender('kustomize-suffix-dash', sha);
    await renderer.requestRender('helm-local-dependency', sha);
    const withDependency = await renderer.settled('helm-local-dependency', sha);
    expect(withDependency.state).toBe('completed');
    const dependencyBundle = JSON.parse((await renderer.redis.get((withDependency.result as { bundleKey: string }).bundleKey))!) as RenderedBundle;
    expect(dependencyBundle.objects.map((object) => object.metadata.name).sort()).toEqual(['lib', 'parent']);
    const helm = await renderer.settled('default-release-name', sha);
    expect(helm.state).toBe('completed');
    const kustomize = await renderer.settled('kustomize-suffix-dash', sha);
    expect(kustomize.state).toBe('completed');
    const bundle = JSON.parse((await renderer.redis.get((kustomize.result as { bundleKey: string }).bundleKey))!) as RenderedBundle;
    expect(bundle.objects.map((object) => object.metadata.name)).toEqual(['tw-kcm-dev']);
  });

  it('ran none of the repository’s scripts and queued no sync for a refused render', async () => {
    for (const [app] of [...refused, ['kustomize-exec-function']]) await renderer.settled(app, sha);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(uploadPackMarker)).toBe(false);
    const syncs = await renderer.syncJobIds();
    for (const [app] of refused) expect(syncs.filter((id) => id.startsWith(`sync:${app}:`))).toEqual([]);
  });
});
