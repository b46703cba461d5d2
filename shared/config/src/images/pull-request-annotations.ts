import { describeSecretRef, secretRefScopeProblem, secretScopeFromEnv, type SecretScope } from '../secrets.ts';
import type { SecretRef } from '../schema/secret-ref.ts';
import type { ImagePullRequestSettings, PullRequestProvider } from './image-policy.ts';
import { PullRequestApiUrl } from './tidewater-image-policy.ts';

/** Tidewater's annotations for pull-request mode beside Image Updater's (Image Updater has no such mode). */
export const pullRequestAnnotations = {
  provider: 'tidewater.dev/image-pull-request',
  apiUrl: 'tidewater.dev/image-pull-request-api-url',
  token: 'tidewater.dev/image-pull-request-token',
  repository: 'tidewater.dev/image-pull-request-repository',
} as const;

const defaultApiUrls: Partial<Record<PullRequestProvider, string>> = { github: 'https://api.github.com' };

/**
 * Pull-request settings from an Application's annotations: `tidewater.dev/image-pull-request: github|gitlab|gitea`,
 * `…-api-url` (default https://api.github.com for github), `…-token: env:TIDEWATER_SECRET_…` or
 * `file:/var/run/secrets/tidewater/…` (a reference in the promoter's secret scope, never the token), and optionally
 * `…-repository: owner/repo`. Problems name the annotation; with any, the Application's images are not updated.
 */
export function pullRequestFromAnnotations(annotations: Readonly<Record<string, string>>, scope: SecretScope = secretScopeFromEnv()): {
  settings?: ImagePullRequestSettings;
  problems: Array<{ annotation: string; detail: string }>;
} {
  const problems: Array<{ annotation: string; detail: string }> = [];
  const get = (key: string) => annotations[key]?.trim();
  const providerText = get(pullRequestAnnotations.provider);
  if (providerText === undefined) {
    for (const key of [pullRequestAnnotations.apiUrl, pullRequestAnnotations.token, pullRequestAnnotations.repository]) {
      if (get(key) !== undefined) problems.push({ annotation: key, detail: `has no effect without ${pullRequestAnnotations.provider}` });
    }
    return { problems };
  }
  if (providerText !== 'github' && providerText !== 'gitlab' && providerText !== 'gitea') {
    problems.push({ annotation: pullRequestAnnotations.provider, detail: 'must be github, gitlab or gitea; this Application\'s images are not updated' });
    return { problems };
  }
  const provider: PullRequestProvider = providerText;
  const apiUrl = get(pullRequestAnnotations.apiUrl) ?? defaultApiUrls[provider];
  if (apiUrl === undefined) {
    problems.push({ annotation: pullRequestAnnotations.apiUrl, detail: `is required for ${provider} (the API base URL); this Application's images are not updated` });
  } else if (!PullRequestApiUrl.safeParse(apiUrl).success) {
    problems.push({ annotation: pullRequestAnnotations.apiUrl, detail: 'must be an https URL without credentials (plain http only to a loopback host); this Application\'s images are not updated' });
  }
  const tokenText = get(pullRequestAnnotations.token);
  let tokenRef: SecretRef | undefined;
  if (tokenText === undefined) {
    problems.push({ annotation: pullRequestAnnotations.token, detail: 'is required: env:<VARIABLE> or file:<path> naming the forge token; this Application\'s images are not updated' });
  } else {
    const match = /^(env|file):(.+)$/.exec(tokenText);
    const candidate: SecretRef | undefined = match ? (match[1] === 'env' ? { env: match[2] } : { file: match[2] }) : undefined;
    const problem = candidate ? secretRefScopeProblem(candidate, scope) : undefined;
    // Never echo the value: it may be the token itself, written inline by mistake.
    if (!candidate) problems.push({ annotation: pullRequestAnnotations.token, detail: 'must be env:<VARIABLE> or file:<path> (a reference, never the token); this Application\'s images are not updated' });
    else if (problem) problems.push({ annotation: pullRequestAnnotations.token, detail: `${describeSecretRef(candidate)} ${problem}; this Application's images are not updated` });
    else tokenRef = candidate;
  }
  const repository = get(pullRequestAnnotations.repository);
  if (repository !== undefined && !/^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)+$/.test(repository)) {
    problems.push({ annotation: pullRequestAnnotations.repository, detail: 'must be owner/repo (GitLab: group/…/project); this Application\'s images are not updated' });
  }
  if (problems.length > 0 || !apiUrl || !tokenRef) return { problems };
  return { settings: { provider, apiUrl: apiUrl.replace(/\/+$/, ''), tokenRef, ...(repository ? { repository } : {}) }, problems };
}
