import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, TidewaterConfig } from '@tidewater/config';
import { makeWorkDir } from '../../../../test/harness/src/index.ts';
import { SyncFailure } from '../errors/sync-failure.ts';
import { createClusterRegistry, kubeConfigFor } from './cluster-registry.ts';

const kubeconfig = (contexts: { name: string; server: string }[], current: string) => [
  'apiVersion: v1', 'kind: Config',
  'clusters:', ...contexts.map((context) => `- {name: ${context.name}, cluster: {server: "${context.server}", insecure-skip-tls-verify: true}}`),
  'users: [{name: robot, user: {token: very-secret-token}}]',
  'contexts:', ...contexts.map((context) => `- {name: ${context.name}, context: {cluster: ${context.name}, user: robot}}`),
  `current-context: ${current}`, '',
].join('\n');

const clusterDocument = (name: string, server: string, spec: Partial<Cluster['spec']> = {}): Cluster => ({
  apiVersion: 'tidewater.dev/v1alpha1', kind: 'Cluster', metadata: { name }, spec: { server, ...spec },
});

let work: ReturnType<typeof makeWorkDir>;
let kubeconfigPath: string;

beforeAll(() => {
  work = makeWorkDir('cluster-registry');
  kubeconfigPath = join(work.dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfig([{ name: 'staging', server: 'https://staging.example.com:6443' }, { name: 'prod', server: 'https://prod.example.com:6443' }], 'staging'));
});

afterAll(() => work?.remove());

const configWith = (clusters: Cluster[]): TidewaterConfig => ({ applications: [], projects: [], repositories: [], clusters, otherDocuments: [], warnings: [] });

describe('createClusterRegistry', () => {
  it('resolves a destination by Cluster name or by server URL, and reuses the client', () => {
    const registry = createClusterRegistry(configWith([
      clusterDocument('staging', 'https://staging.example.com:6443', { kubeconfigRef: { file: kubeconfigPath } }),
      clusterDocument('prod', 'https://prod.example.com:6443', { kubeconfigRef: { file: kubeconfigPath }, context: 'prod' }),
    ]));
    const byName = registry.forDestination({ name: 'prod' });
    expect(byName.name).toBe('prod');
    expect(byName.transport.server).toBe('https://prod.example.com:6443');
    expect(registry.forDestination({ server: 'https://prod.example.com:6443/' })).toBe(byName);
    expect(registry.forDestination({ server: 'https://staging.example.com:6443' }).transport.server).toBe('https://staging.example.com:6443');
    expect(registry.byName('gone')).toBeUndefined();
    registry.close();
  });

  it('maps https://kubernetes.default.svc to a Cluster named in-cluster', () => {
    const registry = createClusterRegistry(configWith([clusterDocument('in-cluster', 'https://10.0.0.1', { kubeconfigRef: { file: kubeconfigPath } })]), { env: { TIDEWATER_SECRET_DIRS: work.dir } });
    expect(registry.forDestination({ server: 'https://kubernetes.default.svc' }).name).toBe('in-cluster');
    registry.close();
  });

  it('fails permanently, naming the destination, when no Cluster matches', () => {
    const registry = createClusterRegistry(configWith([]), { env: {} });
    expect(() => registry.forDestination({ name: 'mars' })).toThrow(SyncFailure);
    expect(() => registry.forDestination({ name: 'mars' })).toThrow('destination cluster mars is unknown');
    expect(() => registry.forDestination({ server: 'https://mars.example.com' })).toThrow('destination server https://mars.example.com is unknown');
    expect(() => registry.forDestination({ server: 'https://kubernetes.default.svc' })).toThrow('is unknown');
  });

  it('rebuilds a client when its Cluster document changes', () => {
    let config = configWith([clusterDocument('edge', 'https://staging.example.com:6443', { kubeconfigRef: { file: kubeconfigPath } })]);
    const registry = createClusterRegistry(() => config);
    const before = registry.forDestination({ name: 'edge' });
    config = configWith([clusterDocument('edge', 'https://prod.example.com:6443', { kubeconfigRef: { file: kubeconfigPath }, context: 'prod' })]);
    const after = registry.forDestination({ name: 'edge' });
    expect(after).not.toBe(before);
    expect(after.transport.server).toBe('https://prod.example.com:6443');
    registry.close();
  });
});

describe('kubeConfigFor', () => {
  it('reads kubeconfig YAML or a kubeconfig path from an env reference', () => {
    const fromYaml = kubeConfigFor(clusterDocument('prod', 'https://prod.example.com:6443', { kubeconfigRef: { env: 'TIDEWATER_SECRET_PROD_KUBECONFIG' }, context: 'prod' }),
      { TIDEWATER_SECRET_PROD_KUBECONFIG: kubeconfig([{ name: 'prod', server: 'https://prod.example.com:6443' }], 'prod') });
    expect(fromYaml.getCurrentCluster()?.server).toBe('https://prod.example.com:6443');
    const fromPath = kubeConfigFor(clusterDocument('staging', 'https://staging.example.com:6443', { kubeconfigRef: { env: 'TIDEWATER_SECRET_KUBECONFIG_PATH' } }), { TIDEWATER_SECRET_KUBECONFIG_PATH: kubeconfigPath });
    expect(fromPath.getCurrentCluster()?.server).toBe('https://staging.example.com:6443');
  });

  it('names the problem without quoting the kubeconfig', () => {
    const broken = 'apiVersion: v1\nusers: [{name: robot, user: {token: very-secret-token}}\n  : : bad';
    const load = () => kubeConfigFor(clusterDocument('prod', 'https://prod.example.com', { kubeconfigRef: { env: 'TIDEWATER_SECRET_BROKEN' } }), { TIDEWATER_SECRET_BROKEN: broken });
    expect(load).toThrow(SyncFailure);
    expect(load).toThrow('cluster prod: kubeconfig in env TIDEWATER_SECRET_BROKEN is not a valid kubeconfig');
    expect(() => kubeConfigFor(clusterDocument('prod', 'https://prod.example.com', { kubeconfigRef: { env: 'TIDEWATER_SECRET_UNSET' } }), {})).toThrow('cluster prod: env TIDEWATER_SECRET_UNSET is not set');
    expect(() => kubeConfigFor(clusterDocument('prod', 'https://prod.example.com', { kubeconfigRef: { file: kubeconfigPath }, context: 'nope' }))).toThrow('kubeconfig has no context nope');
    try {
      load();
    } catch (error) {
      expect((error as Error).message).not.toContain('very-secret-token');
    }
  });
});

describe('kubeConfigFor with credential references instead of a kubeconfig', () => {
  const env = { TIDEWATER_SECRET_TOKEN: 'token-value', TIDEWATER_SECRET_CERT: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----', TIDEWATER_SECRET_KEY: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----', TIDEWATER_SECRET_CA: '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----' };

  it('builds a bearer-token user, with the CA when given', () => {
    const kubeConfig = kubeConfigFor(clusterDocument('west', 'https://west.example:6443', { bearerTokenRef: { env: 'TIDEWATER_SECRET_TOKEN' }, caRef: { env: 'TIDEWATER_SECRET_CA' } }), env);
    expect(kubeConfig.getCurrentCluster()).toMatchObject({ server: 'https://west.example:6443', skipTLSVerify: false });
    expect(Buffer.from(kubeConfig.getCurrentCluster()?.caData ?? '', 'base64').toString()).toContain('CA');
    expect(kubeConfig.getCurrentUser()?.token).toBe('token-value');
  });

  it('builds a client-certificate user', () => {
    const kubeConfig = kubeConfigFor(clusterDocument('east', 'https://east.example:6443', { clientCertificateRef: { env: 'TIDEWATER_SECRET_CERT' }, clientKeyRef: { env: 'TIDEWATER_SECRET_KEY' } }), env);
    const user = kubeConfig.getCurrentUser();
    expect(Buffer.from(user?.certData ?? '', 'base64').toString()).toContain('BEGIN CERTIFICATE');
    expect(Buffer.from(user?.keyData ?? '', 'base64').toString()).toContain('BEGIN PRIVATE KEY');
  });

  it('refuses half a certificate or two kinds of credentials, and never quotes a value', () => {
    expect(() => kubeConfigFor(clusterDocument('x', 'https://x', { clientCertificateRef: { env: 'TIDEWATER_SECRET_CERT' } }), env)).toThrow('cluster x: clientCertificateRef and clientKeyRef go together');
    expect(() => kubeConfigFor(clusterDocument('x', 'https://x', { bearerTokenRef: { env: 'TIDEWATER_SECRET_TOKEN' }, kubeconfigRef: { file: kubeconfigPath } }), env)).toThrow('give either kubeconfigRef or bearerTokenRef');
    let message = '';
    try {
      kubeConfigFor(clusterDocument('x', 'https://x', { bearerTokenRef: { env: 'TIDEWATER_SECRET_MISSING' } }), env);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('cluster x: spec.bearerTokenRef:');
    expect(message).not.toContain('token-value');
  });
});
