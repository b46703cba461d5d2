import { describe, it, expect } from 'vitest';
import { UnrecoverableError } from 'bullmq';
import { ExternalServiceError } from '../errors/external-service-error.ts';
import { classifyGitError, redactUrlCredentials } from './git-errors.ts';

const context = { operation: 'fetch', repo: 'https://git.example.com/org/repo.git' };
const classify = (stderr: string) => classifyGitError(new Error(stderr), context);

describe('classifyGitError', () => {
  it.each([
    'fatal: unable to connect to 127.0.0.1:\n127.0.0.1[0: 127.0.0.1]: errno=Connection refused',
    "fatal: unable to access 'https://git.example.com/org/repo.git/': Could not resolve host: git.example.com",
    'fatal: Could not read from remote repository.',
    'error: RPC failed; HTTP 502 curl 22 The requested URL returned error: 502\nfatal: early EOF',
    "fatal: unable to access 'https://x/': Operation timed out after 300000 milliseconds",
  ])('treats %j as transient', (stderr) => {
    const error = classify(stderr);
    expect(error).toBeInstanceOf(ExternalServiceError);
    expect(error).not.toBeInstanceOf(UnrecoverableError);
  });

  it.each([
    ['fatal: remote error: upload-pack: not our ref 0123456789abcdef0123456789abcdef01234567', 'does not have this revision'],
    ["remote: Repository not found.\nfatal: repository 'https://git.example.com/org/repo.git/' not found", 'does not exist or is not readable'],
    ["fatal: Authentication failed for 'https://git.example.com/org/repo.git/'", 'refused the credentials'],
    ["fatal: could not read Username for 'https://git.example.com': terminal prompts disabled", 'refused the credentials'],
    ['fatal: remote error: access denied or repository not exported: /x.git', 'does not exist or is not readable'],
    ["fatal: unable to access 'https://git.example.com/org/repo.git/': The requested URL returned error: 302", 'redirects elsewhere; with a credential, redirects are not followed'],
    ["fatal: transport 'ext' not allowed", 'uses an unsupported protocol'],
  ])('treats %j as permanent', (stderr, explanation) => {
    const error = classify(stderr);
    expect(error).toBeInstanceOf(UnrecoverableError);
    expect(error.message).toContain(explanation);
    expect(error.message).toContain('git fetch of https://git.example.com/org/repo.git failed');
  });

  it('never repeats credentials embedded in a URL', () => {
    expect(redactUrlCredentials("fatal: unable to access 'https://user:s3cret@host/repo.git/'")).toBe("fatal: unable to access 'https://***@host/repo.git/'");
    expect(classify("fatal: unable to access 'https://user:s3cret@host/x/': Could not resolve host").message).not.toContain('s3cret');
  });
});
