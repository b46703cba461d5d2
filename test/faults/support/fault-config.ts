import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface FaultApp {
  name: string;
  /** Path in the repository; a Helm chart when `helm` is set, plain YAML otherwise. */
  path: string;
  namespace: string;
  helm?: boolean;
}

export interface FaultConfigOptions {
  dir: string;
  repoURL: string;
  /** Name of the variable holding the webhook secret (TIDEWATER_SECRET_…). */
  webhookSecretEnv: string;
  apps: FaultApp[];
  /** The control plane; omitted where no syncer runs. */
  cluster?: { server: string; kubeconfigPath: string };
  /** A Slack channel (incoming webhook URL in `urlEnv`) subscribed to sync.succeeded of every app. */
  slack?: { apiUrl: string; urlEnv: string };
}

/** Writes the configuration directory the services of a fault test share (each reads only what it needs). */
export function writeFaultConfig(options: FaultConfigOptions): string {
  mkdirSync(options.dir, { recursive: true });
  const documents: string[] = [
    ['apiVersion: tidewater.dev/v1alpha1', 'kind: Repository', 'metadata: {name: fault-repo}', 'spec:',
      `  url: ${options.repoURL}`, `  webhookSecretRef: {env: ${options.webhookSecretEnv}}`].join('\n'),
    ['apiVersion: argoproj.io/v1alpha1', 'kind: AppProject', 'metadata: {name: faults}', 'spec:',
      `  sourceRepos: ["${options.repoURL}"]`,
      '  destinations: [{server: "https://kubernetes.default.svc", namespace: "fault-*"}]',
      '  clusterResourceWhitelist: [{group: "", kind: Namespace}]',
      '  namespaceResourceWhitelist: [{group: "*", kind: "*"}]'].join('\n'),
  ];
  if (options.cluster) {
    documents.push(['apiVersion: tidewater.dev/v1alpha1', 'kind: Cluster', 'metadata: {name: in-cluster}', 'spec:',
      `  server: ${options.cluster.server}`, `  kubeconfigRef: {file: ${options.cluster.kubeconfigPath}}`].join('\n'));
  }
  for (const app of options.apps) {
    documents.push(['apiVersion: argoproj.io/v1alpha1', 'kind: Application', `metadata: {name: ${app.name}}`, 'spec:', '  project: faults',
      `  source: {repoURL: "${options.repoURL}", targetRevision: main, path: ${app.path}${app.helm ? ', helm: {releaseName: fault}' : ''}}`,
      `  destination: {server: "https://kubernetes.default.svc", namespace: ${app.namespace}}`,
      '  syncPolicy: {automated: {prune: true}, syncOptions: [CreateNamespace=true]}'].join('\n'));
  }
  if (options.slack) {
    documents.push(['apiVersion: tidewater.dev/v1alpha1', 'kind: NotificationChannel', 'metadata: {name: team-slack}', 'spec:', '  type: slack',
      `  webhookUrlRef: {env: ${options.slack.urlEnv}}`, `  apiUrl: ${options.slack.apiUrl}`,
      '  subscriptions:', '    - trigger: on-sync-succeeded', "      apps: ['*']"].join('\n'));
  }
  const file = join(options.dir, 'faults.yaml');
  writeFileSync(file, `${documents.join('\n---\n')}\n`);
  return options.dir;
}

/** A ConfigMap manifest (the unit of change in the fault tests: its `value` says which commit is applied). */
export function configMapYaml(name: string, value: string): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  value: "${value}"\n`;
}

/** A one-template Helm chart rendering a ConfigMap whose value is `value`. */
export function helmChartFiles(path: string, value: string): Record<string, string> {
  return {
    [`${path}/Chart.yaml`]: 'apiVersion: v2\nname: fault-chart\nversion: 0.1.0\n',
    [`${path}/values.yaml`]: `value: "${value}"\n`,
    [`${path}/templates/configmap.yaml`]: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-settings\ndata:\n  value: {{ .Values.value | quote }}\n',
  };
}
