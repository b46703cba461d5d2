import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { TidewaterEnvironment } from '../../test/e2e/environment.ts';
import { waitFor, type TestRegistry } from '../../test/harness/src/index.ts';
import { startFlux, type FluxPeer } from './flux.ts';
import {
  githubReceiver, gitRepository, imagePoliciesPath, imagePolicy, imageRepository, imageRepositoryReceiver, imageUpdateAutomation,
  imageUpdateAutomationsPath, kustomization, receiverSecret, receiversPath,
  type FluxImagePolicy, type FluxImageUpdateAutomation, type FluxObject,
} from './flux-objects.ts';
import { waitForFluxApplied } from './flux-wait.ts';
import { startGitHttpServer } from './git-http-server.ts';
import type { NotifyRelay } from './notify-relay.ts';
import { PeerFailure } from './peer-failure.ts';
import { allFluxControllers } from './versions.ts';

/** The image repository Flux's side pushes to (Tidewater's side uses bench/guestbook). */
export const fluxImageRepository = 'bench/flux-guestbook';
const namespace = 'guestbook-flux';
const overlay = 'apps/guestbook/overlays/dev';
const examples = fileURLToPath(new URL('../../examples/gitops-repo/', import.meta.url));

export interface FluxImageTrial {
  pushedAt: number;
  /** ImagePolicy's latestRef names the tag (Receiver → ImageRepository scan → policy). */
  policyAt: number;
  /** ImageUpdateAutomation reports a new lastPushCommit (clone, setters, commit, push; the push's hook runs inside it). */
  committedAt: number;
  /** Kustomization applied at that commit (github Receiver → GitRepository → kustomize-controller). */
  appliedAt: number;
  /** The Deployment carries the new image. */
  runningAt: number;
}

export interface FluxImageRun {
  versions: string;
  trials: FluxImageTrial[];
}

/**
 * Flux's image automation on the same control plane, git server and registry as Tidewater's side: the guestbook app
 * of examples/gitops-repo (base and dev overlay, the overlay's `images:` entry carrying Flux's setter markers) in its
 * own repository served over smart HTTP with push on; registry notification → `generic` Receiver → ImageRepository
 * scan → ImagePolicy (semver) → ImageUpdateAutomation commit pushed → post-receive hook → `github` Receiver →
 * GitRepository → Kustomization applied. Every interval is 10 m, so only the two Receivers drive it. One uncounted
 * warm-up trial, as on Tidewater's side.
 */
export async function measureFluxImage(env: TidewaterEnvironment, registry: TestRegistry, relay: NotifyRelay, workDir: string, trials: number): Promise<FluxImageRun> {
  const http = await startGitHttpServer(env.git.rootDir, { allowPush: true });
  let flux: FluxPeer | undefined;
  try {
    flux = await startFlux({ cluster: env.cluster, workDir, controllers: allFluxControllers });
    const peer = flux;
    const image = `${registry.host}/${fluxImageRepository}`;
    await registry.pushImage(fluxImageRepository, 'v1.0.0');
    await env.cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    const repo = env.git.createRepo('flux/image');
    const files: Record<string, string> = {};
    for (const file of readdirSync(join(examples, 'apps/guestbook/base'))) files[`apps/guestbook/base/${file}`] = readFileSync(join(examples, 'apps/guestbook/base', file), 'utf8');
    files[`${overlay}/kustomization.yaml`] = readFileSync(join(examples, overlay, 'kustomization.yaml'), 'utf8').trimEnd() + '\n' + [
      'images:',
      '  - name: registry.example.com/guestbook',
      `    newName: ${image} # {"$imagepolicy": "flux-system:guestbook:name"}`,
      '    newTag: v1.0.0 # {"$imagepolicy": "flux-system:guestbook:tag"}',
      '',
    ].join('\n');
    const initial = await repo.commit(files, 'bench: the guestbook app with image setters');
    const gitToken = randomBytes(20).toString('hex');
    const registryToken = randomBytes(20).toString('hex');
    for (const manifest of [
      receiverSecret('image-git-webhook', gitToken), githubReceiver('image-git', { secretName: 'image-git-webhook', gitRepository: 'image' }),
      receiverSecret('image-registry-webhook', registryToken), imageRepositoryReceiver('image-registry', { secretName: 'image-registry-webhook', imageRepository: 'guestbook' }),
      gitRepository('image', http.urlOf('flux/image'), '10m'),
      kustomization('image', { source: 'image', path: overlay, interval: '10m', targetNamespace: namespace }),
      imageRepository('guestbook', image, '10m'),
      imagePolicy('guestbook', { repository: 'guestbook', range: '>=1.0.0' }),
      imageUpdateAutomation('image', { source: 'image', path: overlay, interval: '10m' }),
    ]) await flux.apply(manifest);
    const webhookPathOf = (name: string) => waitFor(`the Flux Receiver ${name} to be ready`, async () => {
      peer.assertRunning();
      const receiver = await peer.get<FluxObject>(`${receiversPath}/${name}`);
      const ready = receiver?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status === 'True';
      return ready ? receiver?.status?.webhookPath : undefined;
    }, { timeoutMs: 120_000, intervalMs: 200 }).catch((error: Error) => {
      throw new PeerFailure('flux notification-controller', `the Receiver ${name} did not become ready: ${error.message}\n${peer.tails()}`);
    });
    repo.setWebhook({ url: `${flux.receiverUrl}${await webhookPathOf('image-git')}`, secret: gitToken });
    relay.setTarget(`${flux.receiverUrl}${await webhookPathOf('image-registry')}`);
    await waitForFluxApplied(flux, ['image'], initial.sha, { timeoutMs: 180_000, intervalMs: 200 });
    const policyTag = async () => (await peer.get<FluxImagePolicy>(`${imagePoliciesPath}/guestbook`))?.status?.latestRef?.tag;
    await waitFor('the Flux ImagePolicy to resolve v1.0.0', async () => {
      peer.assertRunning();
      return (await policyTag()) === 'v1.0.0';
    }, { timeoutMs: 120_000, intervalMs: 200 }).catch((error: Error) => {
      throw new PeerFailure('flux image-reflector-controller', `the ImagePolicy did not resolve v1.0.0: ${error.message}\n${peer.tails()}`);
    });
    const lastPush = async () => (await peer.get<FluxImageUpdateAutomation>(`${imageUpdateAutomationsPath}/image`))?.status?.lastPushCommit;
    const running = async () => (await peer.get<{ spec?: { template?: { spec?: { containers?: Array<{ image?: string }> } } } }>(
      `/apis/apps/v1/namespaces/${namespace}/deployments/dev-guestbook`))?.spec?.template?.spec?.containers?.[0]?.image;

    const results: FluxImageTrial[] = [];
    for (let trial = 0; trial <= trials; trial++) {
      const tag = `v1.${trial + 1}.0`;
      const pushBefore = await lastPush();
      const started = performance.now();
      await registry.pushImage(fluxImageRepository, tag);
      const stamps: Partial<FluxImageTrial> = { pushedAt: performance.now() - started };
      let commit: string | undefined;
      try {
        await waitFor(`Flux to run ${tag}`, async () => {
          peer.assertRunning();
          const now = () => performance.now() - started;
          if (stamps.policyAt === undefined && (await policyTag()) === tag) stamps.policyAt = now();
          if (stamps.committedAt === undefined) {
            const pushed = await lastPush();
            if (pushed && pushed !== pushBefore) {
              commit = pushed;
              stamps.committedAt = now();
            }
          }
          if (commit && stamps.appliedAt === undefined) {
            const applied = await peer.get<FluxObject>(`/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations/image`);
            if ((applied?.status?.lastAppliedRevision ?? '').endsWith(commit)) stamps.appliedAt = now();
          }
          if (stamps.appliedAt !== undefined && (await running()) === `${image}:${tag}`) stamps.runningAt = now();
          return stamps.runningAt !== undefined;
        }, { timeoutMs: 120_000, intervalMs: 20 });
      } catch (error) {
        if (error instanceof PeerFailure) throw error;
        const reached = stamps.appliedAt !== undefined ? 'applied, Deployment not updated' : stamps.committedAt !== undefined ? 'committed, not applied'
          : stamps.policyAt !== undefined ? 'policy chose it, no commit pushed' : 'the ImagePolicy never chose it';
        throw new PeerFailure('flux image automation', `${tag} pushed, ${reached} within 120 s (trial ${trial}): ${(error as Error).message}\n${peer.tails()}`);
      }
      if (trial > 0) results.push(stamps as FluxImageTrial);
    }
    const v = flux.versions;
    return {
      versions: `source ${v['source-controller']}, kustomize ${v['kustomize-controller']}, notification ${v['notification-controller']}, image-reflector ${v['image-reflector-controller']}, image-automation ${v['image-automation-controller']}`,
      trials: results,
    };
  } finally {
    relay.setTarget(undefined);
    await flux?.stop();
    await http.stop();
  }
}
