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
