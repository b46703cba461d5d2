import { createHash } from 'node:crypto';
import { fluxNamespace } from './flux.ts';

const metadata = (name: string) => ({ name, namespace: fluxNamespace });

/** A GitRepository following `main` of `url` (an http URL of the harness git server). */
export function gitRepository(name: string, url: string, interval: string): Record<string, unknown> {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', metadata: metadata(name),
    spec: { url, interval, ref: { branch: 'main' }, timeout: '60s' },
  };
}

/** A Kustomization of `path` in the GitRepository `source`, pruning, applied into `targetNamespace` when given. */
export function kustomization(name: string, options: { source: string; path: string; interval: string; targetNamespace?: string; retryInterval?: string }): Record<string, unknown> {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', metadata: metadata(name),
    spec: {
      interval: options.interval, retryInterval: options.retryInterval ?? '10s', path: `./${options.path}`, prune: true, timeout: '2m',
      sourceRef: { kind: 'GitRepository', name: options.source },
      ...(options.targetNamespace ? { targetNamespace: options.targetNamespace } : {}),
    },
  };
}

/** The Secret holding a Receiver's token (for a `github` Receiver, the HMAC key of X-Hub-Signature-256). */
export function receiverSecret(name: string, token: string): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Secret', metadata: metadata(name), type: 'Opaque', stringData: { token } };
}

/** A `github` Receiver for push events that asks the named GitRepository to reconcile now. */
export function githubReceiver(name: string, options: { secretName: string; gitRepository: string }): Record<string, unknown> {
  return {
    apiVersion: 'notification.toolkit.fluxcd.io/v1', kind: 'Receiver', metadata: metadata(name),
    spec: {
      type: 'github', events: ['push'], interval: '10m', secretRef: { name: options.secretName },
      resources: [{ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', name: options.gitRepository }],
    },
  };
}

/** Where notification-controller serves a Receiver: /hook/sha256(token + name + namespace), as status.webhookPath reports. */
export function receiverPath(name: string, token: string): string {
  return `/hook/${createHash('sha256').update(`${token}${name}${fluxNamespace}`).digest('hex')}`;
}

export interface FluxCondition { type: string; status: string; reason?: string; message?: string }
export interface FluxStatus { conditions?: FluxCondition[]; lastAppliedRevision?: string; lastAttemptedRevision?: string; webhookPath?: string; artifact?: { revision?: string } }
export interface FluxObject { metadata: { name: string }; status?: FluxStatus }

export const kustomizationsPath = `/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/${fluxNamespace}/kustomizations`;
export const receiversPath = `/apis/notification.toolkit.fluxcd.io/v1/namespaces/${fluxNamespace}/receivers`;
export const gitRepositoriesPath = `/apis/source.toolkit.fluxcd.io/v1/namespaces/${fluxNamespace}/gitrepositories`;

/**
 * Applied at `sha` (Flux writes revisions as `main@sha1:<sha>`): `lastAppliedRevision` moves only after a successful
 * apply, and stays while a later reconcile of the same revision runs (Ready is Unknown meanwhile, so Ready alone would
 * count an applied Kustomization as not applied whenever its interval comes round).
 */
export function appliedAt(object: FluxObject | undefined, sha: string): boolean {
  return (object?.status?.lastAppliedRevision ?? '').endsWith(sha);
}

/** The Ready condition's reason and message when it failed at `sha`, else undefined. */
export function failedAt(object: FluxObject | undefined, sha: string): string | undefined {
  const ready = object?.status?.conditions?.find((condition) => condition.type === 'Ready');
  if (ready?.status !== 'False' || !(object?.status?.lastAttemptedRevision ?? '').endsWith(sha)) return undefined;
  return `${ready.reason}: ${ready.message}`;
}

/** An ImageRepository scanning `image` (host:port/path) over plain HTTP; reconciled at `interval` and on its Receiver. */
export function imageRepository(name: string, image: string, interval: string): Record<string, unknown> {
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', metadata: metadata(name),
    spec: { image, interval, insecure: true, provider: 'generic', timeout: '30s' },
  };
}

/** An ImagePolicy choosing the highest semver tag of the ImageRepository `repository`. */
export function imagePolicy(name: string, options: { repository: string; range: string }): Record<string, unknown> {
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImagePolicy', metadata: metadata(name),
    spec: { imageRepositoryRef: { name: options.repository }, policy: { semver: { range: options.range } } },
  };
}

/**
 * An ImageUpdateAutomation: on a policy change, check out `main` of the GitRepository `source`, rewrite the
 * `$imagepolicy` setter markers under `path`, commit and push to `main`.
 */
export function imageUpdateAutomation(name: string, options: { source: string; path: string; interval: string }): Record<string, unknown> {
  return {
    apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageUpdateAutomation', metadata: metadata(name),
    spec: {
      interval: options.interval,
      sourceRef: { kind: 'GitRepository', name: options.source },
      git: {
        checkout: { ref: { branch: 'main' } },
        commit: { author: { name: 'fluxcdbot', email: 'fluxcdbot@tidewater.invalid' }, messageTemplate: 'build: automatic image update' },
        push: { branch: 'main' },
      },
      update: { path: `./${options.path}`, strategy: 'Setters' },
    },
  };
}

/**
 * A `generic` Receiver (any POST to its path, which is derived from the token, triggers it) asking the named
 * ImageRepository to scan now: what a registry notification points at.
 */
export function imageRepositoryReceiver(name: string, options: { secretName: string; imageRepository: string }): Record<string, unknown> {
  return {
    apiVersion: 'notification.toolkit.fluxcd.io/v1', kind: 'Receiver', metadata: metadata(name),
    spec: {
      type: 'generic', interval: '10m', secretRef: { name: options.secretName },
      resources: [{ apiVersion: 'image.toolkit.fluxcd.io/v1', kind: 'ImageRepository', name: options.imageRepository }],
    },
  };
}

export interface FluxImagePolicy { status?: FluxStatus & { latestRef?: { name?: string; tag?: string; digest?: string } } }
export interface FluxImageUpdateAutomation { status?: FluxStatus & { lastPushCommit?: string; lastPushTime?: string } }

export const imagePoliciesPath = `/apis/image.toolkit.fluxcd.io/v1/namespaces/${fluxNamespace}/imagepolicies`;
export const imageUpdateAutomationsPath = `/apis/image.toolkit.fluxcd.io/v1/namespaces/${fluxNamespace}/imageupdateautomations`;
