import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

export const kubectlPath = process.env.KUBECTL ?? '/usr/bin/kubectl';

/** Runs kubectl against one cluster; resolves with its output and wall-clock ms, rejects on a non-zero exit. */
export function runKubectl(args: readonly string[], options: { kubeconfig: string; cacheDir: string }): Promise<{ stdout: string; ms: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath, [...args, `--kubeconfig=${options.kubeconfig}`, `--cache-dir=${options.cacheDir}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = performance.now() - start;
      if (code === 0) resolve({ stdout, ms });
      else reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-5).join('\n')}`));
    });
  });
}
