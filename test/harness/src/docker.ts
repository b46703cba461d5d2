import { spawnSync } from 'node:child_process';

let answer: boolean | undefined;

/**
 * True when a Docker engine answers and the local backend is not forced (TIDEWATER_TEST_BACKEND=local).
 * testcontainers is then used for Redis and k3s; otherwise the harness runs the real binaries itself.
 */
export function dockerAvailable(): boolean {
  if (process.env.TIDEWATER_TEST_BACKEND === 'local') return false;
  if (answer === undefined) {
    const result = spawnSync('docker', ['info', '--format', '{{.ServerVersion}}'], { timeout: 5_000 });
    answer = result.status === 0 && result.stdout.toString().trim().length > 0;
  }
  return answer;
}
