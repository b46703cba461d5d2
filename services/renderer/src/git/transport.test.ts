import { describe, it, expect } from 'vitest';
import { UnrecoverableError } from 'bullmq';
import { Repository } from '@tidewater/config';
import { allowedGitProtocols, assertTransportAllowed, gitLocationOf } from './transport.ts';

const repository = (spec: Record<string, unknown>) => Repository.parse({
  apiVersion: 'tidewater.dev/v1alpha1', kind: 'Repository', metadata: { name: 'local' }, spec: { url: '/srv/git/x.git', ...spec },
});

describe('git transports', () => {
  it.each([
    ['https://GitHub.com:443/org/x.git', { transport: 'https', host: 'github.com' }],
    ['https://github.com:8443/org/x.git', { transport: 'https', host: 'github.com:8443' }],
    ['http://user:pw@host/x', { transport: 'http', host: 'host' }],
    ['ssh://git@host:22/x', { transport: 'ssh', host: 'host' }],
    ['git+ssh://host/x', { transport: 'ssh', host: 'host' }],
    ['git@github.com:org/x.git', { transport: 'ssh', host: 'github.com' }],
    ['git://127.0.0.1:9418/x.git', { transport: 'git', host: '127.0.0.1' }],
    ['file:///srv/git/x.git', { transport: 'file' }],
    ['/srv/git/x.git', { transport: 'file' }],
    ['./x.git', { transport: 'file' }],
    ['ext::sh -c touch% /tmp/x', { transport: 'ext' }],
    ['fd::0', { transport: 'fd' }],
  ])('reads %s as git would', (url, location) => {
    expect(gitLocationOf(url)).toEqual(location);
  });

  it('allows https, ssh and git, and file only where the Repository says so', () => {
    expect(allowedGitProtocols(undefined)).toBe('https:ssh:git');
    expect(allowedGitProtocols(repository({ allowLocalTransport: true }))).toBe('https:ssh:git:file');
    for (const url of ['https://h/x', 'git@h:x', 'ssh://h/x', 'git://h/x']) expect(() => assertTransportAllowed(url, undefined)).not.toThrow();
    expect(() => assertTransportAllowed('/srv/git/x.git', repository({ allowLocalTransport: true }))).not.toThrow();
  });

  it.each([
    ['/srv/git/x.git', 'set spec.allowLocalTransport: true on Repository local to allow it'],
    ['file:///srv/git/x.git', 'is a local path or file:// URL'],
    ['http://h/x.git', 'uses plain http://'],
    ['ext::sh -c id', 'uses the git transport "ext"'],
    ['--upload-pack=touch /tmp/x', 'must not start with "-"'],
  ])('refuses %s permanently', (url, message) => {
    const attempt = () => assertTransportAllowed(url, url.startsWith('/') ? repository({}) : undefined);
    expect(attempt).toThrow(UnrecoverableError);
    expect(attempt).toThrow(message);
  });
});
