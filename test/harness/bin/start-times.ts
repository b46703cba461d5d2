// Prints how long each harness component takes to start and stop on this machine (for docs/testing.md).
import { startCluster, startGitServer, startRedis, startRegistry } from '../src/index.ts';

async function time<T extends { stop(): Promise<void> }>(name: string, start: () => Promise<T>) {
  const t0 = performance.now();
  const component = await start();
  const started = performance.now() - t0;
  const t1 = performance.now();
  await component.stop();
  console.log(`${name.padEnd(34)} start ${started.toFixed(0).padStart(6)} ms   stop ${(performance.now() - t1).toFixed(0).padStart(5)} ms`);
}

await time('redis-server', () => startRedis());
await time('git daemon', () => startGitServer());
await time('docker-registry', () => startRegistry({ notifyUrl: 'http://127.0.0.1:9/' }));
await time('etcd + kube-apiserver', () => startCluster());
await time('+ controller-manager, scheduler, kwok', () => startCluster({ workloads: true }));
