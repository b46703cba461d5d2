import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeRepoUrl, resolveSecret, type Repository } from '@tidewater/config';
import { permanent } from '../errors/permanent.ts';
import { gitLocationOf } from './transport.ts';

export interface GitCredentialEnv {
  /** Environment for git processes; holds the credential, so never log it. */
  env: Record<string, string>;
  /** Removes any key file written for SSH. */
  dispose(): void;
  /** Why a configured credential was not handed to git for this URL (log it; it holds no secret). */
  withheld?: string;
}

const noCredentials: GitCredentialEnv = { env: {}, dispose: () => {} };

/**
 * Why the Repository's credential must not go to `repoURL`, or undefined when it may. A credential is bound to
 * the transport and host of the Repository's own `spec.url`: a token only ever travels over https to that host
 * (and port), an SSH key only over ssh to that host. Repository matching compares normalised URLs, which ignore
 * the scheme, so an `http://` spelling or another port would otherwise receive the token.
 */
export function credentialBindingProblem(repository: Repository, repoURL: string, kind: 'token' | 'ssh-key'): string | undefined {
  const bound = gitLocationOf(repository.spec.url);
  const target = gitLocationOf(repoURL);
  const wanted = kind === 'token' ? 'https' : 'ssh';
  if (bound.transport !== wanted) {
    return `the ${kind === 'token' ? 'token' : 'SSH key'} of repository ${repository.metadata.name} is bound to a ${wanted} URL, but spec.url uses ${bound.transport}`;
  }
  if (target.transport !== bound.transport || target.host !== bound.host) {
    return `the credential of repository ${repository.metadata.name} is bound to ${bound.transport}://${bound.host ?? ''}; not sent to ${target.transport}://${target.host ?? ''}`;
  }
  return undefined;
}

/** Username providers expect in front of an access token over HTTPS basic auth. */
const tokenUser: Record<string, string> = { github: 'x-access-token', gitlab: 'oauth2', bitbucket: 'x-token-auth', gitea: 'tidewater' };

/** The Repository document whose URL names the same repository as `repoURL`, if any. */
export function repositoryFor(repositories: readonly Repository[], repoURL: string): Repository | undefined {
  const wanted = normalizeRepoUrl(repoURL);
  return repositories.find((repository) => normalizeRepoUrl(repository.spec.url) === wanted);
}

/**
 * Git read credentials for `repoURL`, only when it has the transport and host the credential is bound to (see
 * credentialBindingProblem), and kept out of the URL (which gets logged): a token becomes a URL-scoped
 * `http.<url>.extraHeader` passed through GIT_CONFIG_* variables (not argv, so not visible in `ps`); an SSH
 * private key is written 0600 to a private temp dir and used through GIT_SSH_COMMAND. A credential of the
 * form `user:password` is used as is for basic auth.
 */
export function gitCredentialEnv(repository: Repository | undefined, repoURL: string, scratchDir: string): GitCredentialEnv {
  const ref = repository?.spec.credentialRef;
  if (!ref) return noCredentials;
  let secret: string;
  try {
    secret = resolveSecret(ref);
  } catch (error) {
    // SecretRefError names the reference (env/file), never the value.
    throw permanent(`credentials for repository ${repository.metadata.name} are unavailable: ${(error as Error).message}`);
  }
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(secret)) {
    const withheld = credentialBindingProblem(repository, repoURL, 'ssh-key');
    if (withheld) return { ...noCredentials, withheld };
    const keyDir = mkdtempSync(join(scratchDir, 'ssh-'));
    const keyFile = join(keyDir, 'id');
    writeFileSync(keyFile, secret.endsWith('\n') ? secret : `${secret}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    return {
      env: { GIT_SSH_COMMAND: `ssh -i '${keyFile}' -o IdentitiesOnly=yes -o BatchMode=yes` },
      dispose: () => rmSync(keyDir, { recursive: true, force: true }),
    };
  }
  const withheld = credentialBindingProblem(repository, repoURL, 'token');
  if (withheld) return { ...noCredentials, withheld };
  const userAndPassword = secret.includes(':') ? secret : `${tokenUser[repository.spec.provider ?? ''] ?? 'x-access-token'}:${secret}`;
  const header = `Authorization: Basic ${Buffer.from(userAndPassword).toString('base64')}`;
  // git sends an extra header on every request of the fetch, including those that go to the location a
  // redirect named, so a redirect (possibly to another host) ends the fetch instead of being followed.
  return {
    env: {
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: `http.${repoURL}.extraHeader`, GIT_CONFIG_VALUE_0: header,
      GIT_CONFIG_KEY_1: 'http.followRedirects', GIT_CONFIG_VALUE_1: 'false',
    },
    dispose: () => {},
  };
}
