import { describe, expect, it } from 'vitest';
import { buildConfig } from '../build-config.ts';
import { imagePoliciesFromAnnotations } from './argocd-image-updater.ts';
import { imagePoliciesOf } from './policies-of.ts';
import { pullRequestFromAnnotations } from './pull-request-annotations.ts';

const scope = { envPrefix: 'TIDEWATER_SECRET_', dirs: ['/var/run/secrets/tidewater'] };
const application = (annotations: Record<string, string>) => ({
  metadata: { name: 'shop', annotations: { 'argocd-image-updater.argoproj.io/image-list': 'web=ghcr.io/acme/web', ...annotations } },
  spec: { source: { path: 'deploy', targetRevision: 'main' } },
});

describe('pull-request annotations', () => {
  it('turn an Image Updater Application into pull-request mode on image-updater-<app>, proposed to its branch', () => {
    const { policies, warnings } = imagePoliciesFromAnnotations(application({
      'tidewater.dev/image-pull-request': 'gitlab',
      'tidewater.dev/image-pull-request-api-url': 'https://gitlab.example.com/api/v4/',
      'tidewater.dev/image-pull-request-token': 'env:TIDEWATER_SECRET_GITLAB_PR',
    }));
    expect(warnings).toEqual([]);
    expect(policies[0].disabledReason).toBeUndefined();
    expect(policies[0].writeBack).toMatchObject({
      branch: 'image-updater-shop',
      pullRequest: { provider: 'gitlab', apiUrl: 'https://gitlab.example.com/api/v4', tokenRef: { env: 'TIDEWATER_SECRET_GITLAB_PR' } },
    });
    expect(policies[0].writeBack.baseBranch).toBeUndefined();
  });

  it('honour git-branch base:target, and default GitHub to api.github.com', () => {
    const { policies } = imagePoliciesFromAnnotations(application({
      'argocd-image-updater.argoproj.io/git-branch': 'release:image-bumps',
      'tidewater.dev/image-pull-request': 'github',
      'tidewater.dev/image-pull-request-token': 'env:TIDEWATER_SECRET_GH_PR',
    }));
    expect(policies[0].writeBack).toMatchObject({ branch: 'image-bumps', baseBranch: 'release', pullRequest: { provider: 'github', apiUrl: 'https://api.github.com' } });
  });

  it('refuse a token outside the secret scope, an inline token or a plain-http API, naming the annotation and never the value', () => {
    const outside = pullRequestFromAnnotations({ 'tidewater.dev/image-pull-request': 'github', 'tidewater.dev/image-pull-request-token': 'env:AWS_SECRET_ACCESS_KEY' }, scope);
    expect(outside.settings).toBeUndefined();
    expect(outside.problems[0]).toMatchObject({ annotation: 'tidewater.dev/image-pull-request-token' });
    expect(outside.problems[0].detail).toContain('outside the secret scope');

    const inline = pullRequestFromAnnotations({ 'tidewater.dev/image-pull-request': 'gitea', 'tidewater.dev/image-pull-request-api-url': 'http://gitea.example.com/api/v1', 'tidewater.dev/image-pull-request-token': 'ghp_inlineSecretValue' }, scope);
    expect(inline.problems.map((problem) => problem.annotation)).toEqual(['tidewater.dev/image-pull-request-api-url', 'tidewater.dev/image-pull-request-token']);
    expect(JSON.stringify(inline.problems)).not.toContain('ghp_inlineSecretValue');

    const { policies, warnings } = imagePoliciesFromAnnotations(application({ 'tidewater.dev/image-pull-request': 'bitbucket' }));
    expect(warnings.map((warning) => warning.annotation)).toEqual(['tidewater.dev/image-pull-request']);
    expect(policies[0].disabledReason).toContain('bad pull-request annotations');
  });

  it('apply to Applications an Image Updater v1 resource selects, from the Application\'s own annotations', () => {
    const updater = [
      'apiVersion: argocd-image-updater.argoproj.io/v1alpha1', 'kind: ImageUpdater', 'metadata: {name: shop-updater, namespace: argocd}', 'spec:',
      '  writeBackConfig: {method: git, gitConfig: {writeBackTarget: kustomization}}',
      '  applicationRefs: [{namePattern: shop, images: [{alias: web, imageName: ghcr.io/acme/web}]}]', '',
    ].join('\n');
    const app = [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata:', '  name: shop', '  annotations:',
      '    tidewater.dev/image-pull-request: github', '    tidewater.dev/image-pull-request-token: "env:TIDEWATER_SECRET_GH_PR"',
      'spec:', '  project: default', '  source: {repoURL: "https://git.example.com/acme/shop.git", targetRevision: main, path: deploy}',
      '  destination: {server: "https://kubernetes.default.svc", namespace: shop}', '',
    ].join('\n');
    const { config, errors, warnings } = buildConfig([{ file: 'a.yaml', text: app }, { file: 'u.yaml', text: updater }]);
    expect(errors).toEqual([]);
    expect(warnings.map((warning) => warning.message)).toEqual([]);
    expect(imagePoliciesOf(config)[0].writeBack).toMatchObject({ branch: 'image-updater-shop', pullRequest: { provider: 'github', apiUrl: 'https://api.github.com' } });
  });
});
