import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigDir } from '../load-dir.ts';

// Seed 002's pattern: Argo CD Image Updater annotations in an ApplicationSet's template, a clusters generator.
const applicationSet = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: web-application-environments
spec:
  generators:
  - clusters:
      selector:
        matchLabels:
          environment: web-app
  template:
    metadata:
      name: 'web-app-{{name}}'
      annotations:
        argocd-image-updater.argoproj.io/image-list: app=ghcr.io/org/web-app
        argocd-image-updater.argoproj.io/app.update-strategy: semver
        argocd-image-updater.argoproj.io/app.allow-tags: 'regexp:^v[0-9]+\\.[0-9]+\\.[0-9]+$'
    spec:
      project: default
      source:
        repoURL: https://github.com/org/dokaseca-workloads
        targetRevision: HEAD
        path: 'applications/web-app/{{metadata.labels.environment}}'
      destination:
        server: '{{server}}'
        namespace: web-app
      syncPolicy:
        automated: {prune: true, selfHeal: true}
`;
const cluster = (name: string) => `apiVersion: tidewater.dev/v1alpha1
kind: Cluster
metadata:
  name: ${name}
spec:
  server: https://${name}.example.com
  labels:
    environment: web-app
`;

describe('image policies of generated Applications', () => {
  const dirs: string[] = [];
  afterEach(() => { for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true }); });

  it('makes one policy per Application an ApplicationSet generated from a template with Image Updater annotations', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'generated-image-policies-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'appset.yaml'), applicationSet);
    writeFileSync(join(dir, 'clusters.yaml'), `${cluster('dev')}---\n${cluster('staging')}`);
    const config = await loadConfigDir(dir);
    expect(config.applications.map((application) => application.metadata.name).sort()).toEqual(['web-app-dev', 'web-app-staging']);
    const policies = (config.imagePolicies ?? []).map((policy) => ({ app: policy.app, image: policy.image, strategy: policy.strategy }));
    expect(policies.sort((a, b) => a.app.localeCompare(b.app))).toEqual([
      { app: 'web-app-dev', image: 'ghcr.io/org/web-app', strategy: 'semver' },
      { app: 'web-app-staging', image: 'ghcr.io/org/web-app', strategy: 'semver' },
    ]);
  });
});
