import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { githubHeaders, githubPushPayload, type PushedCommit } from '../../test/harness/src/index.ts';

// Stands for the pushed head commit in the template; replaced by a fresh SHA in every request.
const headPlaceholder = 'feedface'.repeat(5);

const fakeSha = (seed: string) => createHash('sha1').update(seed).digest('hex');

/**
 * A GitHub push body of about `targetBytes` (commits touching files under `appPath`), as a template whose head
 * SHA changes per request: every request is a new commit (so a new render job, as render ids are per commit).
 */
export function createPushBodyFactory(options: { cloneUrl: string; fullName: string; appPath: string; secret: string; targetBytes: number }) {
  const commits: PushedCommit[] = [];
  let template = '';
  for (let index = 0; template.length < options.targetBytes; index += 1) {
    commits.push({
      id: fakeSha(`commit-${index}`),
      message: `Bump ${options.appPath} settings (${index}): raise replicas and refresh the image digest for the next release`,
      timestamp: new Date(Date.UTC(2025, 0, 1, 12, index)).toISOString(),
      author: { name: 'Release Bot', email: 'release-bot@example.com' },
      added: [`${options.appPath}/config/feature-${index}.yaml`],
      removed: [],
      modified: [`${options.appPath}/deployment.yaml`, `${options.appPath}/kustomization.yaml`, `${options.appPath}/values/replicas-${index}.yaml`],
    });
    const withHead = commits.map((commit, position) => (position === commits.length - 1 ? { ...commit, id: headPlaceholder } : commit));
    template = JSON.stringify(githubPushPayload({
      cloneUrl: options.cloneUrl,
      fullName: options.fullName,
      ref: 'refs/heads/main',
      before: fakeSha('before'),
      after: headPlaceholder,
      commits: withHead,
      defaultBranch: 'main',
      pusher: 'release-bot',
    }));
  }
  return {
    bytes: Buffer.byteLength(template),
    commits: commits.length,
    /** A new signed delivery: fresh delivery id, fresh head SHA, X-Hub-Signature-256 over the exact body. */
    next(): { body: string; headers: Record<string, string> } {
      const body = template.replaceAll(headPlaceholder, randomBytes(20).toString('hex'));
      return { body, headers: githubHeaders('push', body, options.secret, randomUUID()) };
    },
  };
}
