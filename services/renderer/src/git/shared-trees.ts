import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '@tidewater/telemetry';
import { mirrorPathFor } from './mirror.ts';

// Renders of one commit share one materialised tree: the first render checks the commit out (and the sandbox walk
// runs on it, inside checkoutCommit), every other render of that commit reads it. Renders only read it: tools that
// write into the tree (`kustomize edit`, `helm dependency build`) get a private checkout instead (see
// needsPrivateTree in render-source.ts). Trees no render holds are kept for the next renders up to `keepIdle`, the
// least recently used removed off the event loop.

export interface SharedTree {
  /** The commit's tree; read-only by agreement. */
  treeDir: string;
  release(): void;
}

export interface SharedTrees {
  /**
   * The commit's tree, checked out by `materialise(targetDir)` the first time it is asked for (one at a time per
   * commit; a failed materialisation is not kept, so the next render tries again).
   */
  acquire(input: { repoURL: string; revision: string; materialise: (targetDir: string) => Promise<void> }): Promise<SharedTree>;
  /** Removes every idle tree (tests, shutdown). */
  clear(): Promise<void>;
}

interface Entry {
  dir: string;
  ready: Promise<void>;
  holders: number;
  lastUsed: number;
}

/** One per cache directory and process (the trees are this process's; a restart removes what a previous one left). */
export function createSharedTrees(options: { cacheDir: string; keepIdle?: number; logger?: Logger }): SharedTrees {
  const root = join(options.cacheDir, 'trees');
  const keepIdle = options.keepIdle ?? 4;
  const entries = new Map<string, Entry>();
  mkdirSync(root, { recursive: true });
  // Whatever an earlier process left (it may have died mid-checkout) is removed in the background.
  const generation = randomBytes(4).toString('hex');
  const leftovers = readdirSync(root).map((name) => join(root, name));
  void Promise.all(leftovers.map((dir) => rm(dir, { recursive: true, force: true }))).catch(() => undefined);

  const remove = (dir: string) => rm(dir, { recursive: true, force: true }).catch((error: Error) => {
    options.logger?.warn({ dir: basename(dir), reason: error.message }, 'could not remove a shared tree');
  });

  function evictIdle(): void {
    const idle = [...entries.entries()].filter(([, entry]) => entry.holders === 0).sort(([, a], [, b]) => a.lastUsed - b.lastUsed);
    for (const [key, entry] of idle.slice(0, Math.max(0, idle.length - keepIdle))) {
      entries.delete(key);
      void entry.ready.then(() => remove(entry.dir), () => undefined);
    }
  }

  return {
    async acquire({ repoURL, revision, materialise }) {
      const key = `${basename(mirrorPathFor(options.cacheDir, repoURL), '.git')}-${revision}`;
      let entry = entries.get(key);
      if (!entry) {
        const dir = join(root, `${generation}-${key}`);
        const building = join(root, `${generation}-${key}.partial-${randomBytes(4).toString('hex')}`);
        const ready = (async () => {
          await mkdir(building, { recursive: true });
          try {
            await materialise(building);
            await rename(building, dir);
          } catch (error) {
            await remove(building);
            throw error;
          }
        })();
        entry = { dir, ready, holders: 0, lastUsed: Date.now() };
        entries.set(key, entry);
        const created = entry;
        ready.catch(() => {
          if (entries.get(key) === created) entries.delete(key);
        });
      }
      entry.holders += 1;
      entry.lastUsed = Date.now();
      try {
        await entry.ready;
      } catch (error) {
        entry.holders -= 1;
        throw error;
      }
      const held = entry;
      let released = false;
      return {
        treeDir: held.dir,
        release() {
          if (released) return;
          released = true;
          held.holders -= 1;
          held.lastUsed = Date.now();
          evictIdle();
        },
      };
    },
    async clear() {
      const idle = [...entries.entries()].filter(([, entry]) => entry.holders === 0);
      for (const [key] of idle) entries.delete(key);
      await Promise.all(idle.map(([, entry]) => entry.ready.then(() => remove(entry.dir), () => undefined)));
    },
  };
}

const byCacheDir = new Map<string, SharedTrees>();

/** The process's shared trees for `cacheDir` (renderers of one process share them, like the mirror lock). */
export function sharedTreesFor(cacheDir: string, logger?: Logger): SharedTrees {
  let trees = byCacheDir.get(cacheDir);
  if (!trees) {
    trees = createSharedTrees({ cacheDir, logger });
    byCacheDir.set(cacheDir, trees);
  }
  return trees;
}
