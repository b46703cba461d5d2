import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

/** The renderer's environment, parsed once at start-up. */
export const RendererEnv = z.object({
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  /** Directory of configuration documents (Applications, Repositories, …). */
  TIDEWATER_CONFIG: z.string().min(1),
  TIDEWATER_CACHE_DIR: z.string().min(1).default(join(homedir(), '.cache', 'tidewater', 'renderer')),
  TIDEWATER_HELM: z.string().min(1).default('helm'),
  TIDEWATER_KUSTOMIZE: z.string().min(1).default('kustomize'),
  TIDEWATER_RENDER_CONCURRENCY: z.coerce.number().int().positive().default(2),
  /** Lock of a running render: a killed renderer's jobs are taken over within about 1.5 times this. */
  TIDEWATER_RENDER_LOCK_MS: z.coerce.number().int().min(2_000).default(10_000),
  /** Crashes a render survives (it is run again) before it fails with a render.failed event. */
  TIDEWATER_RENDER_MAX_STALLED: z.coerce.number().int().min(0).default(2),
  /** After its last attempt, a render failing on a transient error (git unreachable) is retried this often until it succeeds. */
  TIDEWATER_RENDER_RETRY_DELAY_MS: z.coerce.number().int().positive().default(30_000),
});
export type RendererEnv = z.infer<typeof RendererEnv>;

export function parseRendererEnv(env: NodeJS.ProcessEnv = process.env): RendererEnv {
  const parsed = RendererEnv.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`invalid renderer environment: ${problems}`);
  }
  return parsed.data;
}
