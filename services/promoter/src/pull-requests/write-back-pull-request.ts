import type { Redis } from 'ioredis';
import type { ImagePullRequestSettings } from '@tidewater/config';
import { ImageUpdatedData } from '@tidewater/events';
import { withRepoLock } from '../git/repo-lock.ts';
import { ensurePullRequest, repositoryPathOf, type PullRequestDeps } from './ensure-pull-request.ts';
import type { PullRequestOutcome } from './pull-request-target.ts';

/** The promoter's own key: a pushed write branch whose pull request is not confirmed yet (kept until it is). */
export const pendingPullRequestKey = (repoUrl: string, head: string) => `tidewater:promoter:pull-request-pending:${repoUrl}#${head}`;
const pendingTtlSeconds = 7 * 24 * 3_600;

export interface PullRequestWriteBack {
  settings: ImagePullRequestSettings;
  repoUrl: string;
  head: string;
  base: string;
}

/** What a pushed write branch still needs: the pull request's text and the image.updated event to publish with it. */
interface PendingPullRequest {
  title: string;
  body: string;
  event: ImageUpdatedData;
}

async function ensureUnderLock(deps: PullRequestDeps & { redis: Redis }, target: PullRequestWriteBack, pending: PendingPullRequest): Promise<PullRequestOutcome> {
  const repository = target.settings.repository ?? repositoryPathOf(target.repoUrl);
  // One writer per target: two jobs must not both find no pull request and open two.
  const outcome = await withRepoLock(deps.redis, target.repoUrl, `pull-request:${target.head}`, () => ensurePullRequest(deps, target.settings, {
    repository, head: target.head, base: target.base, title: pending.title, body: pending.body,
  }));
  await deps.redis.del(pendingPullRequestKey(target.repoUrl, target.head));
  return outcome;
}

/**
 * After a push to the write branch: remembers that its pull request is owed (so a retry after a forge failure opens
 * it even though the branch already holds the change), then opens or updates the target's one pull request.
 */
export async function openOrUpdatePullRequest(deps: PullRequestDeps & { redis: Redis }, target: PullRequestWriteBack, pending: PendingPullRequest): Promise<PullRequestOutcome> {
  await deps.redis.set(pendingPullRequestKey(target.repoUrl, target.head), JSON.stringify(pending), 'EX', pendingTtlSeconds);
  return ensureUnderLock(deps, target, pending);
}

/** A pull request owed by an earlier attempt whose forge call failed: opened now; undefined when none is owed. */
export async function resumePendingPullRequest(deps: PullRequestDeps & { redis: Redis }, target: PullRequestWriteBack): Promise<{ outcome: PullRequestOutcome; event: ImageUpdatedData } | undefined> {
  const raw = await deps.redis.get(pendingPullRequestKey(target.repoUrl, target.head));
  if (!raw) return undefined;
  let stored: unknown;
  try {
    stored = JSON.parse(raw);
  } catch {
    stored = undefined;
  }
  const { title, body, event } = (stored ?? {}) as Partial<PendingPullRequest>;
  const parsedEvent = ImageUpdatedData.safeParse(event);
  if (typeof title !== 'string' || typeof body !== 'string' || !parsedEvent.success) {
    await deps.redis.del(pendingPullRequestKey(target.repoUrl, target.head));
    return undefined;
  }
  const outcome = await ensureUnderLock(deps, target, { title, body, event: parsedEvent.data });
  return { outcome, event: parsedEvent.data };
}
