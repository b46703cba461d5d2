import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../../test/harness/src/index.ts';

/** The controllers every Flux benchmark runs (the default of startFlux). */
export const fluxControllers = ['source-controller', 'kustomize-controller', 'notification-controller'] as const;
/** Flux's image automation, run only by the `image` benchmark. */
export const fluxImageControllers = ['image-reflector-controller', 'image-automation-controller'] as const;
export const allFluxControllers = [...fluxControllers, ...fluxImageControllers] as const;
export type FluxController = (typeof allFluxControllers)[number];

const versionsFile = join(dirname(fileURLToPath(import.meta.url)), 'versions.env');

/** bench/peers/versions.env as a map (the same file scripts/setup-peers sources). */
export function peerVersions(): Record<string, string> {
  const entries = readFileSync(versionsFile, 'utf8').split('\n')
    .map((line) => /^([A-Z0-9_]+)="?([^"]*)"?$/.exec(line.trim()))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => [match[1], match[2]] as const);
  return Object.fromEntries(entries);
}

/** Where scripts/setup-peers put one controller: its binary, its CRDs and how long it took to build. */
export function fluxControllerPaths(controller: FluxController): { version: string; dir: string; bin: string; crdDir: string; builtStamp: string } {
  const key = `FLUX_${controller.replace('-controller', '').replaceAll('-', '_').toUpperCase()}_CONTROLLER_VERSION`;
  const version = peerVersions()[key];
  if (!version) throw new Error(`${key} is missing from ${versionsFile}`);
  const dir = join(cacheDir, 'peers', controller, version);
  return { version, dir, bin: join(dir, 'bin', controller), crdDir: join(dir, 'crds'), builtStamp: join(dir, '.complete') };
}

/** Where scripts/setup-peers put Argo CD: the one `argocd` binary (every component), its CRDs and its core-install manifest. */
export function argoCDPaths(): { version: string; dir: string; bin: string; crdDir: string; installManifest: string; builtStamp: string } {
  const version = peerVersions().ARGOCD_VERSION;
  if (!version) throw new Error(`ARGOCD_VERSION is missing from ${versionsFile}`);
  const dir = join(cacheDir, 'peers', 'argo-cd', version);
  return {
    version, dir, bin: join(dir, 'bin', 'argocd'), crdDir: join(dir, 'crds'),
    installManifest: join(dir, 'manifests', 'core-install.yaml'), builtStamp: join(dir, '.complete'),
  };
}
