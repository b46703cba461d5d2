import { existsSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { permanent } from '../errors/permanent.ts';

export interface CheckoutSandbox {
  /** The checked-out tree (the job's private work tree). */
  treeDir: string;
  /** For messages: where the tree came from. */
  repoURL: string;
  revision: string;
}

const inside = (root: string, path: string) => {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
};

/**
 * Refuses a checked-out tree holding a symlink that resolves outside it, as Argo CD's CheckOutOfBoundsSymlinks
 * does: otherwise a chart's `.Files.Get`, a kustomize generator or a plain manifest could read a file of the
 * host (`/etc/...`, `/proc/self/environ`) into a bundle. Both the link's written target and its real location
 * (after every link in a chain) must stay inside; a dangling link is judged by its written target. Symlinked
 * directories are not descended into: a link that stays inside points at a part of the tree walked anyway.
 */
export function assertCheckoutSandboxed(sandbox: CheckoutSandbox): void {
  const root = resolve(sandbox.treeDir);
  const realRoot = realpathSync(root);
  const escaping: string[] = [];
  const pending = [root];
  while (pending.length && escaping.length < maxReported) {
    const dir = pending.pop()!;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        pending.push(path);
        continue;
      }
      if (!entry.isSymbolicLink()) continue;
      const written = resolve(dirname(path), readlinkSync(path));
      if (!inside(root, written) || (existsSync(path) && !inside(realRoot, realpathSync(path)))) {
        escaping.push(relative(root, path).split(sep).join('/'));
      }
    }
  }
  if (!escaping.length) return;
  const paths = escaping.sort().join(', ');
  throw permanent(`repository ${sandbox.repoURL} commit ${sandbox.revision}: ${escaping.length === 1 ? `${paths} is a symlink` : `${paths} are symlinks`} `
    + 'that point outside the repository; the render is refused (symlinks must stay inside the repository)');
}

/** Enough to act on, short enough for an event. */
const maxReported = 10;
