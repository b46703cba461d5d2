import { describe, it, expect } from 'vitest';
import { UnrecoverableError } from 'bullmq';
import { ArgoApplication } from '@tidewater/config';
import { assertHelmReleaseName, assertSafeToolArguments } from './tool-arguments.ts';

const app = (source: Record<string, unknown>, namespace = 'web') => ArgoApplication.parse({
  apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'web' },
  spec: { source: { repoURL: 'https://h/x.git', path: 'apps/web', ...source }, destination: { server: 'https://k', namespace } },
});

describe('assertSafeToolArguments', () => {
  it('accepts what Argo CD users write', () => {
    expect(() => assertSafeToolArguments(app({
      kustomize: {
        namePrefix: 'dev-', nameSuffix: '-v2', namespace: 'web-dev', images: ['registry.example.com/web=registry.example.com/web:v2.0.0', 'nginx@sha256:abc'],
        commonLabels: { 'app.kubernetes.io/part-of': 'shop', team: '' }, commonAnnotations: { 'example.com/owner': 'team a, b' },
      },
    }), 'main')).not.toThrow();
    expect(() => assertSafeToolArguments(app({ helm: { releaseName: 'podinfo', parameters: [{ name: 'ingress.annotations.kubernetes\\.io/class', value: '-x' }] } }), 'refs/tags/v1.2.3')).not.toThrow();
  });

  it.each([
    [{ helm: { releaseName: '--post-renderer=./evil.sh' } }, 'main', 'spec.source.helm.releaseName'],
    [{ helm: { releaseName: 'a'.repeat(54) } }, 'main', 'spec.source.helm.releaseName'],
    [{ helm: { parameters: [{ name: 'a,b', value: '1' }] } }, 'main', 'spec.source.helm.parameters[0].name'],
    [{ kustomize: { namePrefix: '-x' } }, 'main', 'spec.source.kustomize.namePrefix'],
    [{ kustomize: { commonLabels: { 'a b': 'x' } } }, 'main', 'spec.source.kustomize.commonLabels key'],
    [{ kustomize: { commonLabels: { a: '--x' } } }, 'main', 'spec.source.kustomize.commonLabels.a'],
    [{ kustomize: { images: ['nginx --enable-exec'] } }, 'main', 'spec.source.kustomize.images[0]'],
    [{}, '--upload-pack=x', 'spec.source.targetRevision'],
    [{}, 'main..x', 'spec.source.targetRevision'],
    [{ path: '-x' }, 'main', 'spec.source.path'],
  ])('refuses %j (revision %s), naming %s', (source, revision, field) => {
    const attempt = () => assertSafeToolArguments(app(source), revision);
    expect(attempt).toThrow(UnrecoverableError);
    expect(attempt).toThrow(`application web: ${field}`);
  });

  it('checks the default release name of a chart detected without a helm block', () => {
    const long = ArgoApplication.parse({ ...app({}), metadata: { name: 'a'.repeat(60) } });
    expect(() => assertSafeToolArguments(long, 'main')).not.toThrow();
    expect(() => assertHelmReleaseName(long)).toThrow('metadata.name (the default Helm release name)');
  });

  it('refuses a destination namespace that is not a DNS-1123 label', () => {
    expect(() => assertSafeToolArguments(app({}, '--kube-context=prod'), 'main')).toThrow('application web: spec.destination.namespace "--kube-context=prod" is refused');
  });
});
