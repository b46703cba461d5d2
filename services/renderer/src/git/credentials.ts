import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeRepoUrl, resolveSecret, type Repository } from '@tidewater/config';
import { permanent } from '../errors/permanent.ts';

export interface GitCredentialEnv {
  /** Environment for git processes; holds the credential, so never log it. */
  env: Record<string, string>;
  /** Removes any key file written for SSH. */
  dispose(): void;
}

const noCredentials: GitCredentialEnv = { env: {}, dispose: () => {} };

/** Username providers expect in front of an access token over HTTPS basic auth. */
const tokenUser: Record<string, string> = { github: 'x-access-token', gitlab: 'oauth2', bitbucket: 'x-token-auth', gitea: 'tidewater' };

/** The Repository document whose URL names the same repository as `repoURL`, if any. */
export function repositoryFor(repositories: readonly Repository[], repoURL: string): Repository | undefined {
  const wanted = normalizeRepoUrl(repoURL);
  return repositories.find((repository) => normalizeRepoUrl(repository.spec.url) === wanted);
}

/**
 * Git read credentials for `repoURL`, kept out of the URL (which gets logged): a token becomes a URL-scoped
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
    const keyDir = mkdtempSync(join(scratchDir, 'ssh-'));
    const keyFile = join(keyDir, 'id');
    writeFileSync(keyFile, secret.endsWith('\n') ? secret : `${secret}\n`, { mode: 0o600 });
    chmodSync(keyFile, 0o600);
    return {
      env: { GIT_SSH_COMMAND: `ssh -i '${keyFile}' -o IdentitiesOnly=yes -o BatchMode=yes` },
      dispose: () => rmSync(keyDir, { recursive: true, force: true }),
    };
  }
  if (!/^https?:\/\//i.test(repoURL)) return noCredentials; // tokens only make sense over HTTP(S)
  const userAndPassword = secret.includes(':') ? secret : `${tokenUser[repository.spec.provider ?? ''] ?? 'x-access-token'}:${secret}`;
  const header = `Authorization: Basic ${Buffer.from(userAndPassword).toString('base64')}`;
  return {
    env: { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: `http.${repoURL}.extraHeader`, GIT_CONFIG_VALUE_0: header },
    dispose: () => {},
  };
}
