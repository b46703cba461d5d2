import { describe, expect, it } from 'vitest';
import { buildConfig } from '../build-config.ts';
import { imagePoliciesOf } from './policies-of.ts';

const documents = (pullRequest: string) => [
  'apiVersion: argoproj.io/v1alpha1', 'kind: Application', 'metadata: {name: shop}', 'spec:', '  project: default',
  '  source: {repoURL: "https://git.example.com/acme/shop.git", targetRevision: main, path: deploy}',
  '  destination: {server: "https://kubernetes.default.svc", namespace: shop}', '---',
  'apiVersion: tidewater.dev/v1alpha1', 'kind: ImagePolicy', 'metadata: {name: shop}', 'spec:', '  application: shop', '  image: ghcr.io/acme/shop',
  '  writeBack:', `    pullRequest: ${pullRequest}`, '',
].join('\n');

describe('Tidewater ImagePolicy writeBack.pullRequest', () => {
  it('is taken with a scoped token reference; the write branch defaults to image-updater-<application>', () => {
    const { config, errors } = buildConfig([{ file: 'p.yaml', text: documents('{provider: gitea, apiURL: "https://gitea.example.com/api/v1/", tokenRef: {env: TIDEWATER_SECRET_GITEA_PR}}') }]);
    expect(errors).toEqual([]);
    expect(imagePoliciesOf(config)[0].writeBack).toMatchObject({
      branch: 'image-updater-shop', pullRequest: { provider: 'gitea', apiUrl: 'https://gitea.example.com/api/v1', tokenRef: { env: 'TIDEWATER_SECRET_GITEA_PR' } },
    });
  });

  it('refuses an inline token, a token outside the secret scope and a plain-http API host, naming the field', () => {
    const inline = buildConfig([{ file: 'p.yaml', text: documents('{provider: github, apiURL: "https://api.github.com", tokenRef: "ghp_inlineValue123"}') }]);
    expect(inline.errors.map((error) => error.message).join('\n')).toMatch(/tokenRef/);
    expect(JSON.stringify(inline.errors.map((error) => error.message))).not.toContain('ghp_inlineValue123');
    const outside = buildConfig([{ file: 'p.yaml', text: documents('{provider: github, apiURL: "https://api.github.com", tokenRef: {env: AWS_SECRET_ACCESS_KEY}}') }]);
    expect(outside.errors.map((error) => error.message).join('\n')).toMatch(/outside the secret scope/);
    const plain = buildConfig([{ file: 'p.yaml', text: documents('{provider: github, apiURL: "http://api.github.com", tokenRef: {env: TIDEWATER_SECRET_GH}}') }]);
    expect(plain.errors.map((error) => error.message).join('\n')).toMatch(/apiURL/);
  });
});
