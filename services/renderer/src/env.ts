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
