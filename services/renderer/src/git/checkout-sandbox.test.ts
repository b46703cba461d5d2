import { describe, it, expect, afterEach } from 'vitest';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UnrecoverableError } from 'bullmq';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { assertCheckoutSandboxed } from './checkout-sandbox.ts';

describe('assertCheckoutSandboxed', () => {
  let work: ReturnType<typeof makeWorkDir>;
  const tree = () => {
    work = makeWorkDir('checkout-sandbox');
    const root = join(work.dir, 'tree');
    mkdirSync(join(root, 'charts/app/files'), { recursive: true });
    writeFileSync(join(root, 'charts/app/values.yaml'), 'a: 1\n');
    writeFileSync(join(work.dir, 'outside.txt'), 'host\n');
    return root;
  };
  const check = (root: string) => () => assertCheckoutSandboxed({ treeDir: root, repoURL: 'git://h/x.git', revision: 'abc' });
  afterEach(() => work?.remove());

  it('accepts links that stay inside, including chains and dangling ones inside', () => {
    const root = tree();
    symlinkSync('../values.yaml', join(root, 'charts/app/files/values.yaml'));
    symlinkSync('values.yaml', join(root, 'charts/app/files/chain.yaml'));
    symlinkSync('../../app', join(root, 'charts/app/files/dir'));
    symlinkSync('missing.yaml', join(root, 'charts/app/files/dangling.yaml'));
    expect(check(root)).not.toThrow();
  });

  it.each([
    ['an absolute link to a host file', (root: string) => symlinkSync(join(root, '../outside.txt'), join(root, 'charts/app/files/host.txt'))],
    ['/proc/self/environ', (root: string) => symlinkSync('/proc/self/environ', join(root, 'charts/app/files/host.txt'))],
    ['a relative link climbing out', (root: string) => symlinkSync('../../../../outside.txt', join(root, 'charts/app/files/host.txt'))],
    ['a dangling link outside', (root: string) => symlinkSync('/nonexistent/secret', join(root, 'charts/app/files/host.txt'))],
    ['a chain that ends outside', (root: string) => {
      symlinkSync('/etc', join(root, 'charts/app/etc'));
      symlinkSync('../etc/hostname', join(root, 'charts/app/files/host.txt'));
    }],
  ])('refuses %s, naming repository, commit and path', (_name, plant) => {
    const root = tree();
    plant(root);
    expect(check(root)).toThrow(UnrecoverableError);
    expect(check(root)).toThrow(/^repository git:\/\/h\/x.git commit abc: .*charts\/app\/files\/host.txt.* point outside the repository/);
  });
});
