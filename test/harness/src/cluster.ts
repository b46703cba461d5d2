import { execFile } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { freePort } from './ports.ts';
import { raceExit, startProcess, type ManagedProcess } from './process.ts';
import { toolPath } from './paths.ts';
import { waitFor } from './wait.ts';
import { makeWorkDir } from './workdir.ts';
import { httpsGet, httpsRequest } from './https-get.ts';
import { dockerAvailable } from './docker.ts';

export interface ClusterOptions {
  /** Also run kube-controller-manager, kube-scheduler and kwok with one fake node, so workloads roll out. */
  workloads?: boolean;
  /** A name for logs and the kubeconfig context. */
  name?: string;
  /**
   * Also accept client certificates (local backend): a client CA is generated and passed as `--client-ca-file`;
   * `issueClientCertificate` signs certificates with it.
   */
  clientCertificates?: boolean;
}

/** A client certificate (PEM) and its unencrypted key for a user (CN) and groups (O). */
export interface ClientCertificate {
  certificate: string;
  key: string;
}

export interface TestCluster {
  name: string;
  server: string;
  kubeconfigPath: string;
  kubeConfig: KubeConfig;
  backend: 'local' | 'testcontainers' | 'external';
  /** Directory holding the components' logs (local backend). */
  logDir?: string;
  /**
   * Server-side applies a raw manifest exactly as written (field manager `tidewater-test`). The typed client
   * re-serialises objects through its models and drops fields such as `x-kubernetes-preserve-unknown-fields`.
   */
  apply(manifest: Record<string, unknown>, options?: { dryRun?: boolean }): Promise<Record<string, unknown>>;
  /**
   * Local backend only: stops the kube-apiserver (etcd keeps its data), for outage tests; startApiServer() starts it
   * again on the same port and waits for /readyz. Undefined for other backends.
   */
  stopApiServer?(): Promise<void>;
  startApiServer?(): Promise<void>;
  /** With `clientCertificates`: a certificate the apiserver authenticates as `user` in `groups` (RBAC decides the rest). */
  issueClientCertificate?(user: string, groups?: readonly string[]): Promise<ClientCertificate>;
  /** The PEM of the CA that signed the apiserver's serving certificate (local backend). */
  serverCa?: string;
  stop(): Promise<void>;
}

export const fakeNodeName = 'kwok-node-0';

/**
 * A real Kubernetes control plane: etcd + kube-apiserver on loopback (and with `workloads`, controller-manager,
 * scheduler and kwok). `TIDEWATER_TEST_KUBECONFIG` (or `KUBECONFIG` with TIDEWATER_TEST_CLUSTER=kubeconfig) points
 * at an existing cluster instead; a Docker engine brings up k3s through testcontainers.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const name = options.name ?? 'local';
  const external = process.env.TIDEWATER_TEST_KUBECONFIG
    ?? (process.env.TIDEWATER_TEST_CLUSTER === 'kubeconfig' ? process.env.KUBECONFIG : undefined);
  if (external) return externalCluster(name, external);
  if (dockerAvailable()) return k3sCluster(name);
  // A free port can be taken by a parallel test between freePort() and the bind: start again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await localCluster(name, options);
    } catch (error) {
      if (attempt >= 3 || !/address already in use/.test((error as Error).message)) throw error;
    }
  }
}

function externalCluster(name: string, kubeconfigPath: string): TestCluster {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return { name, server: kubeConfig.getCurrentCluster()?.server ?? '', kubeconfigPath, kubeConfig, backend: 'external', apply: rawApply(kubeConfig), stop: async () => {} };
}

async function k3sCluster(name: string): Promise<TestCluster> {
  const { K3sContainer } = await import('@testcontainers/k3s');
  const container = await new K3sContainer('rancher/k3s:v1.33.4-k3s1').start();
  const work = makeWorkDir(`k3s-${name}`);
  const kubeconfigPath = join(work.dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, container.getKubeConfig());
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  return {
    name, server: kubeConfig.getCurrentCluster()?.server ?? '', kubeconfigPath, kubeConfig, backend: 'testcontainers', apply: rawApply(kubeConfig),
    async stop() {
      await container.stop();
      work.remove();
    },
  };
}

async function localCluster(name: string, options: ClusterOptions): Promise<TestCluster> {
  const work = makeWorkDir(`cluster-${name}`);
  const dir = work.dir;
  const processes: ManagedProcess[] = [];
  const stopAll = async () => {
    for (const managed of processes.reverse()) await managed.stop();
    if (!process.env.TIDEWATER_KEEP_LOGS) work.remove();
  };
  try {
    const [etcdClientPort, etcdPeerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcd = startProcess('etcd', toolPath('etcd'), [
      `--name=${name}`,
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClientPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClientPort}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
      `--initial-cluster=${name}=http://127.0.0.1:${etcdPeerPort}`,
      '--unsafe-no-fsync=true', // test data only: fsync dominates etcd latency on small disks
      '--log-level=warn',
    ], { cwd: dir, logDir: dir });
    processes.push(etcd);
    await raceExit(etcd, waitFor('etcd /health', async () => {
      const response = await fetch(`http://127.0.0.1:${etcdClientPort}/health`);
      return response.ok;
    }, { timeoutMs: 30_000, intervalMs: 50 }));

    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const serviceAccountKey = join(dir, 'sa.key');
    writeFileSync(serviceAccountKey, privateKey.export({ type: 'pkcs1', format: 'pem' }));
    const token = randomBytes(24).toString('hex');
    writeFileSync(join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`);
    const certDir = join(dir, 'pki');
    mkdirSync(certDir, { recursive: true });

    const clientCa = options.clientCertificates ? await createClientCa(certDir) : undefined;
    const apiserverArgs = [
      ...(clientCa ? [`--client-ca-file=${clientCa.certFile}`] : []),
      `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--cert-dir=${certDir}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=RBAC',
      `--service-account-issuer=https://127.0.0.1:${apiPort}`,
      `--service-account-key-file=${serviceAccountKey}`,
      `--service-account-signing-key-file=${serviceAccountKey}`,
      // 4,094 Service IPs (a /24 held ~250, too few for the 1,000-application scale benchmark).
      '--service-cluster-ip-range=10.0.0.0/20',
      '--allow-privileged=true',
      // Pods need no service-account token here: there is no kubelet to mount one.
      '--disable-admission-plugins=ServiceAccount',
      '--v=0',
    ];
    let apiserver = startProcess('kube-apiserver', toolPath('kube-apiserver'), apiserverArgs, { cwd: dir, logDir: dir });
    processes.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    const caFile = join(certDir, 'apiserver.crt');
    const apiserverReady = (managed: ManagedProcess) => raceExit(managed, waitFor('kube-apiserver /readyz', async () => {
      if (!existsSync(caFile)) return false;
      const response = await httpsGet(`${server}/readyz`, { ca: readFileSync(caFile, 'utf8'), token });
      return response.status === 200;
    }, { timeoutMs: 90_000, intervalMs: 100 }));
    await apiserverReady(apiserver);
    const stopApiServer = async () => {
      await apiserver.stop();
    };
    const startApiServer = async () => {
      const restarted = startProcess('kube-apiserver', toolPath('kube-apiserver'), apiserverArgs, { cwd: dir, logDir: dir });
      processes[processes.indexOf(apiserver)] = restarted;
      apiserver = restarted;
      await apiserverReady(restarted);
    };

    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      `- name: ${name}`,
      '  cluster:',
      `    server: ${server}`,
      `    certificate-authority: ${caFile}`,
      'users:',
      '- name: admin',
      '  user:',
      `    token: ${token}`,
      'contexts:',
      `- name: ${name}`,
      '  context:',
      `    cluster: ${name}`,
      '    user: admin',
      `current-context: ${name}`,
      '',
    ].join('\n'));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(kubeconfigPath);

    if (options.workloads) {
      await startWorkloadComponents({ dir, kubeconfigPath, kubeConfig, serviceAccountKey, caFile, processes });
    }
    return {
      name, server, kubeconfigPath, kubeConfig, backend: 'local', logDir: dir, apply: rawApply(kubeConfig), stopApiServer, startApiServer, stop: stopAll,
      serverCa: readFileSync(caFile, 'utf8'),
      ...(clientCa ? { issueClientCertificate: (user: string, groups: readonly string[] = []) => issueClientCertificate(clientCa, certDir, user, groups) } : {}),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface ClientCa {
  certFile: string;
  keyFile: string;
}

const execFileAsync = promisify(execFile);

/** A throwaway CA for client certificates (openssl; valid one day). */
async function createClientCa(certDir: string): Promise<ClientCa> {
  const certFile = join(certDir, 'client-ca.crt');
  const keyFile = join(certDir, 'client-ca.key');
  await execFileAsync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1',
    '-subj', '/CN=tidewater-test-client-ca', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return { certFile, keyFile };
}

let issued = 0;
/** A client certificate signed by the cluster's client CA: CN is the user, each O a group (as Kubernetes reads them). */
async function issueClientCertificate(ca: ClientCa, certDir: string, user: string, groups: readonly string[]): Promise<ClientCertificate> {
  issued += 1;
  const base = join(certDir, `client-${issued}`);
  const subject = `/CN=${user}${groups.map((group) => `/O=${group}`).join('')}`;
  await execFileAsync('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', subject]);
  const extensions = `${base}.ext`;
  writeFileSync(extensions, 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n');
  await execFileAsync('openssl', ['x509', '-req', '-in', `${base}.csr`, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial',
    '-out', `${base}.crt`, '-days', '1', '-extfile', extensions]);
  return { certificate: readFileSync(`${base}.crt`, 'utf8'), key: readFileSync(`${base}.key`, 'utf8') };
}

/** Server-side apply over plain HTTPS, resolving the resource path through API discovery. */
function rawApply(kubeConfig: KubeConfig) {
  return async (manifest: Record<string, unknown>, options: { dryRun?: boolean } = {}): Promise<Record<string, unknown>> => {
    const cluster = kubeConfig.getCurrentCluster();
    const user = kubeConfig.getCurrentUser();
    if (!cluster) throw new Error('kubeconfig has no current cluster');
    const ca = cluster.caFile ? readFileSync(cluster.caFile, 'utf8') : cluster.caData ? Buffer.from(cluster.caData, 'base64').toString() : undefined;
    const token = user?.token;
    const apiVersion = String(manifest.apiVersion);
    const kind = String(manifest.kind);
    const metadata = manifest.metadata as { name: string; namespace?: string };
    const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const discovery = await httpsRequest(`${cluster.server}${base}`, { ca, token });
    if (discovery.status !== 200) throw new Error(`discovery of ${apiVersion} failed: ${discovery.status} ${discovery.body}`);
    const resource = (JSON.parse(discovery.body) as { resources: Array<{ name: string; kind: string; namespaced: boolean }> })
      .resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!resource) throw new Error(`${kind} is not served by ${apiVersion}`);
    const namespacePart = resource.namespaced ? `/namespaces/${metadata.namespace ?? 'default'}` : '';
    const url = `${cluster.server}${base}${namespacePart}/${resource.name}/${metadata.name}?fieldManager=tidewater-test&force=true${options.dryRun ? '&dryRun=All' : ''}`;
    const response = await httpsRequest(url, {
      ca, token, method: 'PATCH', body: JSON.stringify(manifest), headers: { 'content-type': 'application/apply-patch+yaml' },
    });
    if (response.status >= 300) throw new Error(`apply of ${kind} ${metadata.name} failed: ${response.status} ${response.body}`);
    return JSON.parse(response.body) as Record<string, unknown>;
  };
}

async function startWorkloadComponents(context: {
  dir: string; kubeconfigPath: string; kubeConfig: KubeConfig; serviceAccountKey: string; caFile: string;
  processes: ManagedProcess[];
}): Promise<void> {
  const { dir, kubeconfigPath, processes } = context;
  const [controllerPort, schedulerPort, kwokPort] = [await freePort(), await freePort(), await freePort()];
  processes.push(startProcess('kube-controller-manager', toolPath('kube-controller-manager'), [
    `--kubeconfig=${kubeconfigPath}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${controllerPort}`,
    '--authorization-always-allow-paths=/healthz,/readyz,/livez,/metrics',
    `--service-account-private-key-file=${context.serviceAccountKey}`,
    `--root-ca-file=${context.caFile}`,
    '--concurrent-deployment-syncs=10',
    '--concurrent-replicaset-syncs=10',
  ], { cwd: dir, logDir: dir }));
  processes.push(startProcess('kube-scheduler', toolPath('kube-scheduler'), [
    `--kubeconfig=${kubeconfigPath}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    `--secure-port=${schedulerPort}`,
  ], { cwd: dir, logDir: dir }));
  processes.push(startProcess('kwok', toolPath('kwok'), [
    `--kubeconfig=${kubeconfigPath}`,
    '--manage-all-nodes=true',
    '--node-lease-duration-seconds=40',
    `--server-address=127.0.0.1:${kwokPort}`,
  ], { cwd: dir, logDir: dir }));

  const core = context.kubeConfig.makeApiClient(CoreV1Api);
  await core.createNode({
    body: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: fakeNodeName,
        annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        labels: { 'kubernetes.io/hostname': fakeNodeName, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
      },
      status: {
        allocatable: { cpu: '32', memory: '256Gi', pods: '110' },
        capacity: { cpu: '32', memory: '256Gi', pods: '110' },
      },
    },
  });
  await waitFor('the kwok node to be Ready', async () => {
    const node = await core.readNode({ name: fakeNodeName });
    return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
  }, { timeoutMs: 60_000, intervalMs: 200 });
}
