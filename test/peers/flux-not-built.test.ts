import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// A benchmark whose peer is missing stops with which peer and why (never a partial ratio). The cache is pointed at an
// empty directory before the harness reads it, so startFlux finds no built controller and must refuse before it
// touches the cluster.
const emptyCache = mkdtempSync(join(tmpdir(), 'tidewater-empty-cache-'));
process.env.TIDEWATER_CACHE = emptyCache;

describe('the Flux peer harness without built controllers', () => {
  afterAll(() => rmSync(emptyCache, { recursive: true, force: true }));

  it('fails with a PeerFailure naming the controller, its version and the setup command', async () => {
    const { startFlux } = await import('../../bench/peers/flux.ts');
    const { PeerFailure } = await import('../../bench/peers/peer-failure.ts');
    const { peerVersions } = await import('../../bench/peers/versions.ts');
    const cluster = {} as Parameters<typeof startFlux>[0]['cluster'];
    const failure = await startFlux({ cluster, workDir: emptyCache, controllers: ['notification-controller'] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PeerFailure);
    const message = (failure as Error).message;
    expect(message).toContain(`peer flux source-controller ${peerVersions().FLUX_SOURCE_CONTROLLER_VERSION} failed: not built`);
    expect(message).toContain(emptyCache);
    expect(message).toContain('scripts/setup --peers');
  });

  it('finds the image controllers by their versions.env keys (FLUX_IMAGE_REFLECTOR_CONTROLLER_VERSION, …)', async () => {
    const { fluxControllerPaths, peerVersions } = await import('../../bench/peers/versions.ts');
    const versions = peerVersions();
    const reflector = fluxControllerPaths('image-reflector-controller');
    expect(reflector.version).toBe(versions.FLUX_IMAGE_REFLECTOR_CONTROLLER_VERSION);
    expect(reflector.bin).toBe(join(emptyCache, 'peers', 'image-reflector-controller', reflector.version, 'bin', 'image-reflector-controller'));
    expect(fluxControllerPaths('image-automation-controller').version).toBe(versions.FLUX_IMAGE_AUTOMATION_CONTROLLER_VERSION);
  });
});
