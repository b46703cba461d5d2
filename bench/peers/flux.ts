import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, type TestCluster } from '../../test/harness/src/index.ts';
import { startProcess, type ManagedProcess } from '../../test/harness/src/process.ts';
import { runKubectl } from '../measure/kubectl.ts';
import { closePeerKubeClients, peerKubeClient, runningPeer, startUntilReady, type PeerKubeClient, type RunningPeer } from './kube.ts';
import { PeerFailure } from './peer-failure.ts';
import { allFluxControllers, fluxControllerPaths, fluxControllers, type FluxController } from './versions.ts';

export const fluxNamespace = 'flux-system';

export interface FluxOptions {
  cluster: TestCluster;
  /** Logs, the source-controller's artifact storage and a HOME for the controllers. */
  workDir: string;
  /** `--concurrent` of source- and kustomize-controller (Flux's defaults: 2 and 4). */
  concurrent?: number;
  /**
   * Which controllers to run (default source-, kustomize- and notification-controller; the image controllers only when
   * named); their CRDs and source-controller's are applied.
   */
  controllers?: readonly FluxController[];
  /** More flags per controller (e.g. `--kube-api-qps`, `--requeue-dependency`), appended after the harness's own. */
  extraArgs?: Partial<Record<FluxController, readonly string[]>>;
}

export interface FluxPeer extends PeerKubeClient, RunningPeer {
  versions: Record<FluxController, string>;
  /** `http://127.0.0.1:<port>`: notification-controller's receiver server; a Receiver is at `${receiverUrl}${status.webhookPath}`. */
  receiverUrl: string;
  stop(): Promise<void>;
}

/**
 * Flux's source-, kustomize- and notification-controller (built by scripts/setup-peers) against a harness cluster:
 * their CRDs applied from the same modules, each controller its own process with the cluster's kubeconfig, watching
 * all namespaces, no leader election; source-controller serves artifacts on a loopback port it advertises, which
 * kustomize-controller fetches from.
 */
export async function startFlux(options: FluxOptions): Promise<FluxPeer> {
  const paths = Object.fromEntries(allFluxControllers.map((controller) => [controller, fluxControllerPaths(controller)])) as
    Record<FluxController, ReturnType<typeof fluxControllerPaths>>;
  const wanted = new Set(options.controllers ?? fluxControllers);
  for (const controller of new Set<FluxController>(['source-controller', ...wanted])) {
    const { bin, builtStamp, version } = paths[controller];
    if (!existsSync(builtStamp) || !existsSync(bin)) throw new PeerFailure(`flux ${controller} ${version}`, `not built (${bin} is missing): run scripts/setup --peers`);
  }
  const { cluster } = options;
  const kubectlCache = join(options.workDir, 'kubectl-cache');
  const storage = join(options.workDir, 'flux-storage');
  const imageDb = join(options.workDir, 'flux-image-db');
  const home = join(options.workDir, 'flux-home');
  const logDir = join(options.workDir, 'flux-logs');
  for (const dir of [storage, imageDb, home, logDir]) mkdirSync(dir, { recursive: true });

  try {
    // The running controllers' CRDs, and always source-controller's (Kustomizations and Receivers point at GitRepositories).
    for (const controller of new Set<FluxController>(['source-controller', ...wanted])) {
      await runKubectl(['apply', '--server-side', '-f', paths[controller].crdDir], { kubeconfig: cluster.kubeconfigPath, cacheDir: kubectlCache });
    }
    await runKubectl(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '--all'], { kubeconfig: cluster.kubeconfigPath, cacheDir: kubectlCache });
  } catch (error) {
    throw new PeerFailure('flux', `its CRDs were not accepted: ${(error as Error).message}`);
  }
  await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: fluxNamespace } });

  const env = { KUBECONFIG: cluster.kubeconfigPath, RUNTIME_NAMESPACE: fluxNamespace, HOME: home };
  let storagePort = 0;
  let receiverPort = 0;
  const concurrent = options.concurrent ? [`--concurrent=${options.concurrent}`] : [];
  const processes: Array<{ controller: FluxController; process: ManagedProcess }> = [];
  // Each controller is started and waited for in turn, its ports picked just before (startUntilReady).
  const start = async (controller: FluxController, argsWith: () => Promise<string[]>) => {
    if (!wanted.has(controller)) return;
    const { process } = await startUntilReady(`flux ${controller}`, async () => {
      const health = await freePort();
      const args = ['--enable-leader-election=false', '--log-encoding=json', '--log-level=info',
        `--metrics-addr=127.0.0.1:${await freePort()}`, `--health-addr=127.0.0.1:${health}`, ...await argsWith(), ...options.extraArgs?.[controller] ?? []];
      const process = startProcess(`flux-${controller}`, paths[controller].bin, args, { cwd: options.workDir, env, logDir });
      return { process, healthUrl: `http://127.0.0.1:${health}/readyz`, result: undefined };
    });
    processes.push({ controller, process });
  };
  try {
    await start('source-controller', async () => {
      storagePort = await freePort();
      return [`--storage-path=${storage}`, `--storage-addr=127.0.0.1:${storagePort}`, `--storage-adv-addr=127.0.0.1:${storagePort}`, ...concurrent];
    });
    await start('kustomize-controller', async () => ['--no-remote-bases=true', ...concurrent]);
    await start('notification-controller', async () => {
      receiverPort = await freePort();
      return [`--receiverAddr=127.0.0.1:${receiverPort}`, `--events-addr=127.0.0.1:${await freePort()}`];
    });
    // The tag database (badger) in the work directory, its value log small: the benchmark keeps a few dozen tags.
    await start('image-reflector-controller', async () => [`--storage-path=${imageDb}`, `--storage-value-log-file-size=${1 << 24}`, ...concurrent]);
    await start('image-automation-controller', async () => [...concurrent]);
  } catch (error) {
    await Promise.all(processes.map(({ process }) => process.stop()));
    throw error;
  }

  const peer: FluxPeer = {
    versions: Object.fromEntries(allFluxControllers.map((controller) => [controller, paths[controller].version])) as Record<FluxController, string>,
    receiverUrl: `http://127.0.0.1:${receiverPort}`,
    ...runningPeer('flux', processes.map(({ controller, process }) => ({ name: controller, process }))),
    ...peerKubeClient(cluster),
    async stop() {
      closePeerKubeClients();
      await Promise.all(processes.map(({ process }) => process.stop()));
    },
  };
  return peer;
}
