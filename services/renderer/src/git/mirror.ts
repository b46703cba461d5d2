import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { normalizeRepoUrl } from '@tidewater/config';
import type { Logger } from '@tidewater/telemetry';
import { permanent } from '../errors/permanent.ts';
import { assertCheckoutSandboxed } from './checkout-sandbox.ts';
import { createGitClient } from './git-client.ts';
import { withMirrorLock } from './mirror-lock.ts';

const commitSha = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;

/** Bare mirror directory of a repository: one per normalised URL, so https/ssh spellings share it. */
export function mirrorPathFor(cacheDir: string, repoURL: string): string {
  const digest = createHash('sha256').update(normalizeRepoUrl(repoURL)).digest('hex');
  return join(cacheDir, 'mirrors', `${digest}.git`);
}

export interface CheckoutRequest {
  cacheDir: string;
  repoURL: string;
  revision: string;
  /** Empty directory that receives the commit's tree. */
  targetDir: string;
  /** Scratch directory private to the job (for the checkout's index file). */
  scratchDir: string;
  /** Credential environment for the fetch (see gitCredentialEnv). */
  credentialEnv: Record<string, string>;
  /** GIT_ALLOW_PROTOCOL for the fetch (see allowedGitProtocols); checked with assertTransportAllowed first. */
  allowProtocols: string;
  logger: Logger;
}

/**
 * Makes sure `revision` is in the repository's bare mirror (fetching only when it is missing) and writes its
 * tree into `targetDir`. Operations on one mirror are serialised; each job gets its own tree and index.
 */
export async function checkoutCommit(request: CheckoutRequest): Promise<{ fetched: boolean }> {
  const { repoURL, revision } = request;
  if (!commitSha.test(revision)) throw permanent(`revision ${JSON.stringify(revision)} is not a full commit SHA`);
  if (repoURL.startsWith('-')) throw permanent('repository URL must not start with "-"');
  const mirrorDir = mirrorPathFor(request.cacheDir, repoURL);
  const result = await withMirrorLock(mirrorDir, async () => {
    const fetched = await ensureCommitInMirror(mirrorDir, request);
    const git = createGitClient({ baseDir: mirrorDir, env: { GIT_INDEX_FILE: join(request.scratchDir, 'checkout-index') } });
    await assertRoomForCheckout(git, request);
    await git.run(['--work-tree', request.targetDir, 'checkout', '--force', revision, '--', '.'], { operation: 'checkout', repo: repoURL });
    return { fetched };
  });
  // The tree is the repository's to shape; what it points at must stay inside it.
  assertCheckoutSandboxed({ treeDir: request.targetDir, repoURL, revision });
  return result;
}

const mebibytes = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
// Room kept free on the cache volume for the index, tool output and other renders.
const reserveBytes = 16 * 1024 * 1024;

/**
 * Refuses a checkout that cannot fit on the cache volume, naming both sizes, rather than filling the disk for every
 * render of every repository. The size is the sum of the commit's blobs (`git ls-tree -r -l`, no checkout needed).
 */
async function assertRoomForCheckout(git: ReturnType<typeof createGitClient>, request: CheckoutRequest): Promise<void> {
  const listing = await git.run(['ls-tree', '-r', '-l', '--full-tree', request.revision], { operation: 'ls-tree', repo: request.repoURL });
  let treeBytes = 0;
  for (const line of listing.split('\n')) {
    const size = Number(line.split(/\s+/)[3]);
    if (Number.isFinite(size)) treeBytes += size;
  }
  const volume = await statfs(request.targetDir);
  const freeBytes = Number(volume.bavail) * Number(volume.bsize);
  if (treeBytes + reserveBytes > freeBytes) {
    throw permanent(`repository ${request.repoURL} commit ${request.revision} needs ${mebibytes(treeBytes)} to check out, but the renderer's cache volume `
      + `has ${mebibytes(freeBytes)} free (${mebibytes(reserveBytes)} kept in reserve): give TIDEWATER_CACHE_DIR a larger volume`);
  }
}

/**
 * What this process knows of a mirror without asking git: commits it holds (a commit never leaves a mirror) and the
 * newest-descendant answers per branch (cleared by every fetch). A push of 1,000 applications then costs git one
 * look-up, not 1,000 serialised ones.
 */
interface MirrorKnowledge {
  commits: Set<string>;
  branchHeads: Map<string, string>;
}
const knowledge = new Map<string, MirrorKnowledge>();
function knownCommits(mirrorDir: string): MirrorKnowledge {
  let known = knowledge.get(mirrorDir);
  if (!known) {
    known = { commits: new Set(), branchHeads: new Map() };
    knowledge.set(mirrorDir, known);
  }
  return known;
}

export async function ensureCommitInMirror(mirrorDir: string, request: Omit<CheckoutRequest, 'targetDir'>): Promise<boolean> {
  const { repoURL, revision, logger } = request;
  if (!existsSync(join(mirrorDir, 'HEAD'))) {
    // A half-created mirror (process killed mid-init) is useless: start over.
    knowledge.delete(mirrorDir);
    rmSync(mirrorDir, { recursive: true, force: true });
    mkdirSync(mirrorDir, { recursive: true });
    await createGitClient({ baseDir: mirrorDir }).run(['init', '--quiet', '--bare'], { operation: 'init', repo: repoURL });
  }
  const known = knownCommits(mirrorDir);
  if (known.commits.has(revision)) return false;
  const git = createGitClient({ baseDir: mirrorDir, env: request.credentialEnv, allowProtocols: request.allowProtocols });
  const hasCommit = async () => {
    const present = await git.succeeds(['cat-file', '-e', `${revision}^{commit}`]);
    if (present) known.commits.add(revision);
    return present;
  };
  if (await hasCommit()) return false;
  known.branchHeads.clear(); // a fetch moves branches

  logger.debug({ revision }, 'fetching repository into mirror');
  await git.run(['fetch', '--quiet', '--prune', '--force', '--no-recurse-submodules', '--', repoURL, '+refs/heads/*:refs/heads/*', '+refs/tags/*:refs/tags/*'],
    { operation: 'fetch', repo: repoURL });
  if (await hasCommit()) return true;

  // Not on any branch or tag (e.g. a pull request head): ask for the exact commit.
  await git.run(['fetch', '--quiet', '--no-recurse-submodules', '--', repoURL, revision], { operation: 'fetch', repo: repoURL });
  if (await hasCommit()) return true;
  throw permanent(`revision ${revision} does not exist in ${repoURL}`);
}

export interface NewestRevisionRequest extends Omit<CheckoutRequest, 'targetDir'> {
  /** The branch the application follows (its targetRevision), when it is one. */
  branch: string;
}

/**
 * The newest commit of `branch` that descends from `revision` (or `revision` itself). Webhooks of a burst can
 * arrive out of order; rendering the branch head they all lead to makes the newest commit win and lets a burst
 * collapse into one render. Runs under the mirror lock and fetches only when `revision` is missing.
 */
export async function newestRevisionOnBranch(request: NewestRevisionRequest): Promise<string> {
  const { repoURL, revision, branch } = request;
  if (!commitSha.test(revision)) throw permanent(`revision ${JSON.stringify(revision)} is not a full commit SHA`);
  if (commitSha.test(branch) || branch === 'HEAD' || branch.startsWith('-')) return revision;
  const mirrorDir = mirrorPathFor(request.cacheDir, repoURL);
  return withMirrorLock(mirrorDir, async () => {
    await ensureCommitInMirror(mirrorDir, request);
    const known = knownCommits(mirrorDir);
    const memo = `${branch}\u0000${revision}`;
    const remembered = known.branchHeads.get(memo);
    if (remembered) return remembered;
    const newest = await newestDescendant(mirrorDir, repoURL, revision, branch);
    known.branchHeads.set(memo, newest);
    return newest;
  });
}

async function newestDescendant(mirrorDir: string, repoURL: string, revision: string, branch: string): Promise<string> {
  const git = createGitClient({ baseDir: mirrorDir });
  const ref = `refs/heads/${branch.replace(/^refs\/heads\//, '')}`;
  if (!(await git.succeeds(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]))) return revision;
  const head = (await git.run(['rev-parse', `${ref}^{commit}`], { operation: 'rev-parse', repo: repoURL })).trim();
  if (head === revision) return revision;
  return (await git.succeeds(['merge-base', '--is-ancestor', revision, head])) ? head : revision;
}
