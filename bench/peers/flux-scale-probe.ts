/**
 * Diagnostic for the Flux side of `scale` at 1,000 (not a benchmark of bench/run.ts): one control plane, git server,
 * source- and kustomize-controller (`--concurrent=8`), PROBE_APPS (1000) apps of the scale benchmark's shape in one
 * repository and as many Kustomizations; counts the applied ones every 10 s for PROBE_SECONDS (120), then prints
 * kustomize-controller's reconcile durations from its log. PROBE_ARGS adds kustomize-controller flags. While it runs,
 * `/debug/pprof/profile` on the controller's --metrics-addr gives a CPU profile.
 *   scripts/with-node node bench/peers/flux-scale-probe.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { makeWorkDir, startCluster, startGitServer } from '../../test/harness/src/index.ts';
import { runKubectl } from '../measure/kubectl.ts';
import { startFlux } from './flux.ts';
import { appliedAt, gitRepository, kustomization, kustomizationsPath, type FluxObject } from './flux-objects.ts';
import { startGitHttpServer } from './git-http-server.ts';

const n = Number(process.env.PROBE_APPS ?? 1000);
const seconds = Number(process.env.PROBE_SECONDS ?? 120);
const extra = (process.env.PROBE_ARGS ?? '').split(' ').filter(Boolean);
const name = (i: number) => `app-${String(i).padStart(4, '0')}`;
const files = (i: number): Record<string, string> => {
  const labels = { 'app.kubernetes.io/name': name(i) };
  const objects = [
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${name(i)}-config` }, data: { value: 'v1' } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: name(i) } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: name(i) }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: name(i) }, spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'registry.example.com/app:1.0.0' }] } } } },
  ];
  return {
    [`apps/${name(i)}/kustomization.yaml`]: stringify({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['objects.yaml'], commonLabels: { team: 'bench' } }),
    [`apps/${name(i)}/objects.yaml`]: objects.map((o) => stringify(o)).join('---\n'),
  };
};
const work = makeWorkDir('flux-probe');
const [cluster, git] = await Promise.all([startCluster({ name: 'flux-probe' }), startGitServer()]);
const http = await startGitHttpServer(git.rootDir);
const flux = await startFlux({ cluster, workDir: work.dir, concurrent: 8, controllers: ['source-controller', 'kustomize-controller'], extraArgs: { 'kustomize-controller': extra } });
try {
  for (let i = 0; i < 10; i++) await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `probe-${i}` } });
  const repo = git.createRepo('flux/fleet');
  const cold = await repo.commit(Object.assign({}, ...Array.from({ length: n }, (_, i) => files(i))), 'fleet');
  await flux.apply(gitRepository('fleet', http.urlOf('flux/fleet'), '10m'));
  const file = join(work.dir, 'ks.yaml');
  writeFileSync(file, Array.from({ length: n }, (_, i) => stringify(kustomization(name(i), { source: 'fleet', path: `apps/${name(i)}`, interval: '10m', retryInterval: '10m', targetNamespace: `probe-${i % 10}` }))).join('---\n'));
  const start = performance.now();
  await runKubectl(['apply', '--server-side', '-f', file], { kubeconfig: cluster.kubeconfigPath, cacheDir: join(work.dir, 'kc') });
  let applied = 0;
  while (performance.now() - start < seconds * 1000) {
    await new Promise((r) => setTimeout(r, 10_000));
    const list = await flux.get<{ items: FluxObject[] }>(kustomizationsPath);
    applied = (list?.items ?? []).filter((o) => appliedAt(o, cold.sha)).length;
    console.log(`probe: ${applied}/${n} applied after ${((performance.now() - start) / 1000).toFixed(0)} s`);
  }
  const log = readFileSync(join(work.dir, 'flux-logs', 'flux-kustomize-controller.log'), 'utf8');
  const durations = [...log.matchAll(/Reconciliation finished in ([0-9.]+)(ms|s)/g)].map((m) => Number(m[1]) * (m[2] === 's' ? 1000 : 1)).sort((a, b) => a - b);
  const throttles = (log.match(/client-side throttling/g) ?? []).length;
  console.log(`probe RESULT n=${n} args=[${extra.join(' ')}] applied=${applied} in ${seconds}s reconciles=${durations.length} p50_ms=${durations[Math.floor(durations.length / 2)]} max_ms=${durations.at(-1)} throttle_lines=${throttles} cpu_s=${flux.cpuSeconds().toFixed(1)}`);
  console.log(log.split('\n').filter((l) => /throttl|Waited/.test(l)).slice(0, 3).join('\n'));
} finally {
  await flux.stop();
  await http.stop();
  await git.stop();
  await cluster.stop();
}
