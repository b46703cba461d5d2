import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { setArgocdSourceImage } from './argocd-source.ts';
import { defaultCommitMessage } from './commit-message.ts';
import { currentHelmImage, setHelmImage } from './helm-values.ts';
import type { ImageChange } from './image-change.ts';
import { currentKustomizationImage, setKustomizationImage } from './kustomization-images.ts';

const change: ImageChange = { image: 'ghcr.io/acme/web', manifestName: 'registry.example.com/web', oldTag: 'v1.0.0', newTag: 'v1.1.0', newDigest: `sha256:${'a'.repeat(64)}`, pinDigest: false };

describe('write-back file edits', () => {
  it('sets the kustomization images entry as kustomize edit set image does, keeping comments', () => {
    const text = '# dev overlay\nresources:\n  - ../../base # shared\nimages:\n  - name: other\n    newTag: "3"\n';
    const next = setKustomizationImage(text, change, 'k.yaml');
    expect(next).toContain('# dev overlay');
    expect(next).toContain('- ../../base # shared');
    expect(parse(next).images).toEqual([{ name: 'other', newTag: '3' }, { name: 'registry.example.com/web', newName: 'ghcr.io/acme/web', newTag: 'v1.1.0' }]);
    expect(currentKustomizationImage(next, 'registry.example.com/web')).toEqual({ tag: 'v1.1.0' });
    const pinned = setKustomizationImage(next, { ...change, newTag: 'v1.2.0', pinDigest: true }, 'k.yaml');
    expect(parse(pinned).images[1]).toEqual({ name: 'registry.example.com/web', newName: 'ghcr.io/acme/web', newTag: 'v1.2.0', digest: `sha256:${'a'.repeat(64)}` });
    expect(() => setKustomizationImage('- not a map', change, 'apps/k.yaml')).toThrow(/apps\/k\.yaml is not a YAML mapping/);
  });

  it('sets Helm values at the dotted paths of helm.image-name/-tag or -spec', () => {
    const values = 'replicas: 2\nimage:\n  repository: old\n  tag: v1.0.0 # pinned by CI\n';
    const next = setHelmImage(values, change, { imageName: 'image.repository', imageTag: 'image.tag' }, 'values.yaml');
    expect(parse(next)).toEqual({ replicas: 2, image: { repository: 'ghcr.io/acme/web', tag: 'v1.1.0' } });
    expect(currentHelmImage(next, { imageTag: 'image.tag' })).toEqual({ tag: 'v1.1.0' });
    expect(parse(setHelmImage('', change, { imageSpec: 'web.image' }, 'v.yaml'))).toEqual({ web: { image: 'ghcr.io/acme/web:v1.1.0' } });
  });

  it('writes .argocd-source-<app>.yaml in Image Updater\'s format', () => {
    expect(parse(setArgocdSourceImage('', change, undefined, 'f'))).toEqual({ kustomize: { images: ['registry.example.com/web=ghcr.io/acme/web:v1.1.0'] } });
    const helm = setArgocdSourceImage('', change, { imageName: 'image.name', imageTag: 'image.tag' }, 'f');
    expect(parse(helm)).toEqual({ helm: { parameters: [
      { name: 'image.name', value: 'ghcr.io/acme/web', forcestring: true }, { name: 'image.tag', value: 'v1.1.0', forcestring: true },
    ] } });
  });

  it('renders Image Updater\'s default commit message', () => {
    expect(defaultCommitMessage('web', [change])).toBe("build: automatic update of web\n\nupdates image ghcr.io/acme/web tag 'v1.0.0' to 'v1.1.0'\n");
  });
});

describe('Flux setter markers', () => {
  it('rewrites the marked values (full reference, :tag, :name, :digest) and nothing else', async () => {
    const { currentSetterTag, setSetterMarkers } = await import('./flux-setters.ts');
    const text = [
      'spec:',
      '  containers:',
      '    - name: app',
      '      image: ghcr.io/stefanprodan/podinfo:5.0.0 # {"$imagepolicy": "flux-system:podinfo"}',
      '    - name: other',
      '      image: ghcr.io/stefanprodan/podinfo:5.0.0',
      'values:',
      '  repository: "ghcr.io/old/name" # {"$imagepolicy": "flux-system:podinfo:name"}',
      '  tag: 5.0.0 # {"$imagepolicy": "flux-system:podinfo:tag"}',
      '  digest: sha256:0 # {"$imagepolicy": "flux-system:podinfo:digest"}',
      '  unrelated: 1.0.0 # {"$imagepolicy": "flux-system:other:tag"}',
      '',
    ].join('\n');
    expect(currentSetterTag(text, 'flux-system:podinfo')).toEqual({ tag: '5.0.0' });
    const next = setSetterMarkers(text, 'flux-system:podinfo', { ...change, image: 'ghcr.io/stefanprodan/podinfo', newTag: '5.1.0' });
    expect(next).toContain('image: ghcr.io/stefanprodan/podinfo:5.1.0 # {"$imagepolicy": "flux-system:podinfo"}');
    expect(next).toContain('    - name: other\n      image: ghcr.io/stefanprodan/podinfo:5.0.0\n');
    expect(next).toContain('repository: "ghcr.io/stefanprodan/podinfo" # {');
    expect(next).toContain('tag: 5.1.0 # {"$imagepolicy": "flux-system:podinfo:tag"}');
    expect(next).toContain(`digest: sha256:${'a'.repeat(64)} # {`);
    expect(next).toContain('unrelated: 1.0.0 #');
  });
});
