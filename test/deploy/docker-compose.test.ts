// No Docker engine here: this checks docker-compose.yml as written against what each service reads at start-up.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ApiEnv } from '../../services/api/src/env.ts';
import { AuditorEnv } from '../../services/auditor/src/env.ts';
import { GatewayEnv } from '../../services/gateway/src/env.ts';
import { NotifierEnv } from '../../services/notifier/src/env.ts';
import { PromoterEnv } from '../../services/promoter/src/env.ts';
import { RendererEnv } from '../../services/renderer/src/env.ts';
import { SyncerEnv } from '../../services/syncer/src/env.ts';
import { repoRoot } from '../harness/src/index.ts';

interface ComposeService { command?: string[]; environment?: Record<string, string>; volumes?: string[]; ports?: string[] }
const text = readFileSync(join(repoRoot, 'docker-compose.yml'), 'utf8');
const compose = parse(text, { merge: true }) as { services: Record<string, ComposeService>; volumes: Record<string, unknown> };

const schemas: Record<string, z.ZodObject> = { gateway: GatewayEnv, renderer: RendererEnv, syncer: SyncerEnv, notifier: NotifierEnv, auditor: AuditorEnv, api: ApiEnv, promoter: PromoterEnv };
// Read outside each service's schema: shared/queues (Redis, bundle key), shared/telemetry (logs, metrics), the
// Kubernetes client (KUBECONFIG), the API's state directory, and secrets the configuration references.
const sharedVariables = new Set(['REDIS_PASSWORD_FILE', 'REDIS_USERNAME', 'REDIS_TLS_CA_FILE', 'TIDEWATER_BUNDLE_KEY', 'TIDEWATER_BUNDLE_KEY_FILE',
  'METRICS_PORT', 'METRICS_HOST', 'TIDEWATER_LOG_LEVEL', 'TIDEWATER_LOG_FORMAT', 'HOME']);
const extraVariables: Record<string, string[]> = { syncer: ['KUBECONFIG', 'TIDEWATER_RECONCILE_INTERVAL_MS'], api: ['TIDEWATER_STATE_DIR'] };

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error}; `given` stands in for the operator's shell. */
function interpolate(value: string, given: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::([-?])([^}]*))?\}/g, (_match, name: string, kind: string | undefined, rest: string | undefined) => {
    if (given[name]) return given[name];
    if (kind === '?') throw new Error(`compose refuses to start: ${rest}`);
    return kind === '-' ? rest ?? '' : '';
  });
}
const operator = { REDIS_PASSWORD: 'p'.repeat(48), TIDEWATER_BUNDLE_KEY: 'k'.repeat(64), TIDEWATER_WEBHOOK_SECRET: 'w'.repeat(32) };
const tidewaterServices = Object.entries(compose.services).filter(([name]) => name !== 'redis');
/** A service's volumes as `[source, target]` after interpolation. */
const mountsOf = (service: ComposeService) => (service.volumes ?? []).map((volume) => interpolate(volume, operator).split(':') as [string, string]);

describe('docker-compose.yml', () => {
  it('runs every service, each with the command of its own main.ts', () => {
    expect(tidewaterServices.map(([name]) => name).sort()).toEqual(Object.keys(schemas).sort());
    for (const [name, service] of tidewaterServices) {
      expect(service.command, name).toEqual(['node', `services/${name}/src/main.ts`]);
      expect(existsSync(join(repoRoot, service.command![1])), name).toBe(true);
    }
  });

  for (const name of Object.keys(schemas)) {
    it(`gives the ${name} an environment its schema accepts, and nothing it would ignore`, () => {
      const service = compose.services[name];
      const env = Object.fromEntries(Object.entries(service.environment ?? {}).map(([key, value]) => [key, interpolate(String(value), operator)]));
      const parsed = schemas[name].safeParse(env);
      expect(parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.')), name).toEqual([]);
      const known = new Set([...Object.keys(schemas[name].shape), ...sharedVariables, ...(extraVariables[name] ?? [])]);
      const unknown = Object.keys(env).filter((key) => !known.has(key) && !key.startsWith('TIDEWATER_SECRET_'));
      expect(unknown, `${name} reads none of these`).toEqual([]);
      // Its configuration directory is mounted where TIDEWATER_CONFIG points.
      expect(mountsOf(service).some(([, target]) => target === env.TIDEWATER_CONFIG), name).toBe(true);
      // A published port is the port the service listens on, on every interface.
      for (const port of service.ports ?? []) {
        expect(port.split(':')[1], name).toBe(env.PORT);
        expect(env.HOST, name).toBe('0.0.0.0');
      }
    });
  }

  it('refuses to start without the Redis password, the bundle key and the webhook secret', () => {
    for (const missing of Object.keys(operator)) {
      const given = { ...operator, [missing]: '' };
      const errors = tidewaterServices.flatMap(([, service]) => Object.values(service.environment ?? {}).flatMap((value) => {
        try { interpolate(String(value), given); return []; } catch (error) { return [(error as Error).message]; }
      }));
      expect(errors.join('\n'), missing).toContain(`set ${missing}`);
    }
  });

  it('wires the syncer to a cluster, the renderer and syncer to the bundle key, and the API to the auditor', () => {
    const env = (name: string) => compose.services[name].environment ?? {};
    expect(compose.services.syncer.volumes).toContain(`\${KUBECONFIG:-~/.kube/config}:${env('syncer').KUBECONFIG}:ro`);
    const holders = tidewaterServices.filter(([, service]) => service.environment?.TIDEWATER_BUNDLE_KEY).map(([name]) => name).sort();
    expect(holders).toEqual(['renderer', 'syncer']);
    expect(env('api').AUDITOR_URL).toBe(`http://auditor:${env('auditor').PORT}`);
    expect(env('gateway').TIDEWATER_WEBHOOK_SECRET).toMatch(/^\$\{TIDEWATER_WEBHOOK_SECRET:\?/);
    // Git write credentials reach the promoter alone.
    const gitWriters = tidewaterServices.filter(([, service]) => Object.keys(service.environment ?? {}).some((key) => key.startsWith('TIDEWATER_SECRET_PROMOTER_GIT'))).map(([name]) => name);
    expect(gitWriters).toEqual(['promoter']);
  });

  it('keeps writable state on volumes the image prepares for its non-root user', () => {
    const dockerfile = readFileSync(join(repoRoot, 'Dockerfile'), 'utf8');
    const mounts: Array<[string, string]> = [['renderer', 'TIDEWATER_CACHE_DIR'], ['promoter', 'TIDEWATER_PROMOTER_CACHE_DIR'], ['auditor', 'TIDEWATER_AUDIT_DIR'], ['api', 'TIDEWATER_STATE_DIR']];
    for (const [name, variable] of mounts) {
      const dir = compose.services[name].environment![variable];
      const volume = mountsOf(compose.services[name]).find(([, target]) => target === dir);
      expect(volume, `${name} ${variable}`).toBeDefined();
      expect(Object.keys(compose.volumes)).toContain(volume![0]);
      expect(dockerfile, `${dir} prepared in the image`).toMatch(new RegExp(`chown[^\\n]*${dir.split('/').slice(0, 4).join('/')}`));
    }
    // Redis runs as the queues need it: AOF, a memory limit, noeviction, a password.
    const redis = compose.services.redis as { command: string[] };
    expect(redis.command.join(' ')).toMatch(/--appendonly yes --maxmemory \S+ --maxmemory-policy noeviction --requirepass/);
  });
});
