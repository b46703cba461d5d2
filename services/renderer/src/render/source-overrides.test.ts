import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ArgoApplication } from '@tidewater/config';
import { makeWorkDir, toolPath } from '../../../../test/harness/src/index.ts';
import { renderSource } from './render-source.ts';

const work = makeWorkDir('source-overrides');
afterAll(() => work.remove());

let trees = 0;
function tree(files: Record<string, string>): string {
  trees += 1;
  const root = join(work.dir, `tree-${trees}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  mkdirSync(join(root, '.scratch'), { recursive: true });
  return root;
}

const application = (name: string, source: Partial<ArgoApplication['spec']['source']>): ArgoApplication => ({
  apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name },
  spec: { project: 'default', source: { repoURL: 'https://git.example.com/x.git', targetRevision: 'main', path: '.', ...source }, destination: { server: 'https://kubernetes.default.svc', namespace: 'apps' } },
} as ArgoApplication);

const deployment = (image: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: "${image}"}]}\n`;
const render = (root: string, app: ArgoApplication) => renderSource({
  repoRoot: root, app, tools: { helm: toolPath('helm'), kustomize: toolPath('kustomize') }, scratchDir: join(root, '.scratch'), timeoutMs: 60_000,
});
const imageOf = (objects: Array<Record<string, unknown>>) => (objects.find((object) => object.kind === 'Deployment') as { spec: { template: { spec: { containers: Array<{ image: string }> } } } }).spec.template.spec.containers[0].image;

describe('Argo CD parameter-override files in the Application path', () => {
  it('kustomize: .argocd-source.yaml then .argocd-source-<app>.yaml are merged over the source (lists replaced whole)', async () => {
    const root = tree({
      'apps/web/kustomization.yaml': 'resources: [deployment.yaml]\n',
      'apps/web/deployment.yaml': deployment('registry.example.com/web:1.0.0'),
      'apps/web/.argocd-source.yaml': 'kustomize:\n  namePrefix: shared-\n  images: [registry.example.com/web=ghcr.io/acme/web:1.5.0]\n',
      'apps/web/.argocd-source-web-dev.yaml': 'kustomize:\n  images:\n    - registry.example.com/web=ghcr.io/acme/web:2.0.0\n',
    });
    const outcome = await render(root, application('web-dev', { path: 'apps/web', kustomize: { images: ['registry.example.com/web:0.1.0'] } }));
    expect(outcome.renderer).toBe('kustomize');
    expect(imageOf(outcome.objects as Array<Record<string, unknown>>)).toBe('ghcr.io/acme/web:2.0.0');
    expect(outcome.objects.find((object) => object.kind === 'Deployment')?.metadata.name).toBe('shared-web');
    expect(outcome.sourcePaths).toEqual(expect.arrayContaining(['apps/web']));
    // Another Application on the same path reads only the shared file.
    const other = await render(root, application('web-prod', { path: 'apps/web' }));
    expect(imageOf(other.objects as Array<Record<string, unknown>>)).toBe('ghcr.io/acme/web:1.5.0');
  });

  it('helm: Image Updater\'s parameters (forcestring) override the values files', async () => {
    const root = tree({
      'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
      'chart/values.yaml': 'image: {repository: registry.example.com/web, tag: "1.0.0"}\n',
      'chart/templates/deployment.yaml': deployment('{{ .Values.image.repository }}:{{ .Values.image.tag }}'),
      'chart/.argocd-source-web.yaml': 'helm:\n  parameters:\n    - name: image.repository\n      value: ghcr.io/acme/web\n      forcestring: true\n    - name: image.tag\n      value: "3.1"\n      forcestring: true\n',
    });
    const outcome = await render(root, application('web', { path: 'chart' }));
    expect(outcome.renderer).toBe('helm');
    // forceString keeps 3.1 a string (not the number 3.1).
    expect(imageOf(outcome.objects as Array<Record<string, unknown>>)).toBe('ghcr.io/acme/web:3.1');
  });

  it('a directory source never applies the file as a manifest', async () => {
    const root = tree({
      'plain/deployment.yaml': deployment('registry.example.com/web:1.0.0'),
      'plain/.argocd-source-plain.yaml': 'directory:\n  exclude: "nothing"\n',
    });
    const outcome = await render(root, application('plain', { path: 'plain' }));
    expect(outcome.objects.map((object) => object.kind)).toEqual(['Deployment']);
  });

  it('hostile files are refused naming the file: a symlink out of the repository, a wrong type, a non-mapping', async () => {
    const outside = join(work.dir, 'secret.yaml');
    writeFileSync(outside, 'kustomize: {namePrefix: leaked-}\n');
    const linked = tree({ 'apps/web/kustomization.yaml': 'resources: [deployment.yaml]\n', 'apps/web/deployment.yaml': deployment('x:1') });
    symlinkSync(outside, join(linked, 'apps/web/.argocd-source-web.yaml'));
    await expect(render(linked, application('web', { path: 'apps/web' }))).rejects.toThrow('apps/web/.argocd-source-web.yaml is a symbolic link');

    const wrongType = tree({
      'apps/web/kustomization.yaml': 'resources: [deployment.yaml]\n', 'apps/web/deployment.yaml': deployment('x:1'),
      'apps/web/.argocd-source-web.yaml': 'kustomize:\n  images: registry.example.com/web:2\n',
    });
    await expect(render(wrongType, application('web', { path: 'apps/web' }))).rejects.toThrow(/apps\/web\/\.argocd-source-web\.yaml: kustomize\.images: /);

    const list = tree({ 'apps/web/kustomization.yaml': 'resources: [deployment.yaml]\n', 'apps/web/deployment.yaml': deployment('x:1'), 'apps/web/.argocd-source.yaml': '- a\n' });
    await expect(render(list, application('web', { path: 'apps/web' }))).rejects.toThrow('apps/web/.argocd-source.yaml must be a mapping');

    // A value that would reach helm as a flag is refused as it is on the Application itself.
    const flag = tree({
      'chart/Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n', 'chart/templates/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n',
      'chart/.argocd-source-web.yaml': 'helm:\n  releaseName: "--post-renderer=./evil.sh"\n',
    });
    await expect(render(flag, application('web', { path: 'chart' }))).rejects.toThrow(/chart\/\.argocd-source-web\.yaml: application web: spec\.source\.helm\.releaseName "--post-renderer=\.\/evil\.sh" is refused/);

    // The file cannot move the source elsewhere: repoURL, path, targetRevision and chart stay the Application's.
    const moved = tree({
      'apps/web/kustomization.yaml': 'resources: [deployment.yaml]\n', 'apps/web/deployment.yaml': deployment('registry.example.com/web:1.0.0'),
      'apps/web/.argocd-source-web.yaml': 'path: ../../etc\nrepoURL: https://evil.example.com/x.git\n',
    });
    expect(imageOf((await render(moved, application('web', { path: 'apps/web' }))).objects as Array<Record<string, unknown>>)).toBe('registry.example.com/web:1.0.0');
  });
});
