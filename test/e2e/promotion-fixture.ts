import type { TidewaterEnvironment } from './environment.ts';

/** The guestbook pipeline of the promotion e2e test and bench: dev (from the image policy) → staging (gates) → production (approval). */
export function guestbookPipelineYaml(options: { soak?: string } = {}): string {
  return `apiVersion: tidewater.dev/v1alpha1
kind: Pipeline
metadata: {name: guestbook}
spec:
  sources:
  - {name: guestbook, imagePolicy: 'argocd:guestbook-dev:guestbook'}
  stages:
  - name: dev
    applications: [guestbook-dev]
    freightFrom: {sources: [guestbook]}
    autoPromote: true
  - name: staging
    applications: [guestbook-staging]
    freightFrom: {stages: [dev]}
    autoPromote: true
    gates:
    - {type: healthy}
    - {type: soak, duration: ${options.soak ?? '0s'}}
    - {type: expression, expression: "app.status.health.status == 'Healthy'"}
  - name: production
    applications: [guestbook-production]
    freightFrom: {stages: [staging]}
    autoPromote: true
    approval: {required: 1}
`;
}

const productionApplication = (repoUrl: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: guestbook-production, namespace: argocd}
spec:
  project: demo
  source: {repoURL: '${repoUrl}', targetRevision: main, path: apps/guestbook/overlays/production}
  destination: {server: 'https://kubernetes.default.svc', namespace: guestbook-production}
  syncPolicy:
    automated: {prune: true, selfHeal: true}
    syncOptions: [CreateNamespace=true]
`;

/**
 * On an environment started with `registry: true`: commits a production overlay, adds its Application and the
 * guestbook pipeline, and returns an admin session token for the API.
 */
export async function setUpGuestbookPipeline(env: TidewaterEnvironment, options: { soak?: string } = {}): Promise<string> {
  await env.repo.commit({
    'apps/guestbook/overlays/production/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: guestbook-production\nnamePrefix: prod-\nresources:\n  - ../../base\n',
  }, 'production overlay');
  await env.writeConfig('guestbook-production.yaml', productionApplication(env.repo.url));
  await env.writeConfig('pipeline.yaml', guestbookPipelineYaml(options));
  const login = await fetch(`${env.apiUrl}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: env.adminPassword }) });
  if (login.status !== 200) throw new Error(`admin login: ${login.status}`);
  return ((await login.json()) as { token: string }).token;
}
