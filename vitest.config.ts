import { tmpdir } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['shared/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Forks, not threads: the harness's child processes carry a parent-death signal tied to the spawning process.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/summary-reporter.ts'],
    // Secret references may name files only under TIDEWATER_SECRET_DIRS. The harness writes kubeconfigs and secret
    // files to the temp directory, so the tests' processes list it; the attack tests pass their own, narrower scope.
    env: { TIDEWATER_SECRET_DIRS: ['/var/run/secrets/tidewater', '/run/secrets/tidewater', tmpdir()].join(':') },
  },
});
