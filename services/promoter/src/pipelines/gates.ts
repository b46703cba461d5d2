import type { Gate } from '@tidewater/config';
import { resolveSecret } from '@tidewater/config';
import type { StoredCommitStatus, StoredFreight, StoredStageState } from '@tidewater/queues';
import type { AppObservation } from './app-observation.ts';
import { durationMs } from './duration.ts';

/** A stage the freight comes from, as a gate sees it. */
export interface UpstreamView {
  name: string;
  state: StoredStageState;
  apps: AppObservation[];
}

export interface GateContext {
  freight: StoredFreight;
  /** The stages before this one (empty for a stage fed by sources directly). */
  upstream: UpstreamView[];
  commitStatuses: StoredCommitStatus[];
  now: number;
  fetch: typeof fetch;
  /** The stage being promoted to (or verified), and every stage of the pipeline (expressions name them). */
  stage?: string;
  stages?: Array<{ name: string; state: StoredStageState }>;
  /** Evaluates a parsed-at-load expression against a context (never `eval`); throws with the evaluation error. */
  evaluateExpression?: (expression: string, context: Record<string, unknown>) => unknown;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
}

export interface GateVerdict {
  passed: boolean;
  reason: string;
  /** When a time-based gate should be looked at again (epoch ms). */
  recheckAt?: number;
}

/** A gate's display name: its `name`, else its type (and key / duration). */
export function gateName(gate: Gate): string {
  if (gate.name) return gate.name;
  if (gate.type === 'soak') return `soak ${gate.duration}`;
  if (gate.type === 'commitStatus') return `commitStatus ${gate.key}`;
  return gate.type;
}

/** The freight's state in a stage, as expressions see it (`staging.status == 'Succeeded'`). */
export function freightStatusIn(state: StoredStageState, freight: StoredFreight & { verifiedIn?: string[] }, stage: string): string {
  if (state.promotion?.freight === freight.id && state.promotion.state === 'running') return 'Promoting';
  if (state.promotion?.freight === freight.id && state.promotion.state === 'failed') return 'Failed';
  if (state.currentFreight === freight.id) return state.verifiedAt ? 'Succeeded' : 'Verifying';
  return freight.verifiedIn?.includes(stage) ? 'Succeeded' : 'NotPromoted';
}

/**
 * The expression contexts (shared/config pipelines/expression.ts): one per Application of the upstream stages (or of
 * this stage for a verification), each with `app`, `freight`, `commitStatuses`, `stage` and every stage's `{ status }`.
 */
export function expressionContexts(context: GateContext): Array<Record<string, unknown>> {
  const { freight } = context;
  const subjects = new Set([freight.id, ...freight.commits.map((commit) => commit.id)]);
  const commitStatuses: Record<string, string> = {};
  for (const status of [...context.commitStatuses].sort((a, b) => a.at.localeCompare(b.at))) if (subjects.has(status.subject)) commitStatuses[status.key] = status.state;
  const base = {
    freight: {
      name: freight.id, alias: freight.alias, images: freight.images.map(({ repoURL, tag, digest }) => ({ repoURL, tag, ...(digest ? { digest } : {}) })),
      commits: freight.commits.map(({ repoURL, id, branch, message }) => ({ repoURL, id, ...(branch ? { branch } : {}), ...(message ? { message } : {}) })),
      charts: freight.charts.map(({ repoURL, name, version }) => ({ repoURL, name, version })),
    },
    commitStatuses,
    stage: context.stage ?? '',
    ...Object.fromEntries((context.stages ?? []).map((view) => [view.name, { status: freightStatusIn(view.state, freight, view.name) }])),
  };
  const apps = context.upstream.flatMap((view) => view.apps);
  if (apps.length === 0) return [base];
  return apps.map((app) => ({
    ...base,
    app: { name: app.app, status: { health: { status: app.health ?? 'Unknown' }, sync: { status: app.syncPhase === 'Succeeded' ? 'Synced' : 'OutOfSync', revision: app.syncRevision ?? '' } } },
  }));
}

async function httpGate(gate: Extract<Gate, { type: 'http' }>, context: GateContext): Promise<GateVerdict> {
  const headers: Record<string, string> = {};
  if (gate.headersFrom) {
    // `Name: value` lines from a secret reference; never logged or shown.
    for (const line of resolveSecret(gate.headersFrom, context.env).split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
    }
  }
  const timeout = AbortSignal.timeout(gate.timeout ? durationMs(gate.timeout) : 10_000);
  try {
    const response = await context.fetch(gate.url, { method: gate.method ?? 'GET', headers, signal: context.signal ? AbortSignal.any([timeout, context.signal]) : timeout });
    await response.body?.cancel();
    const expected = gate.expectStatus ?? [];
    const ok = expected.length > 0 ? expected.includes(response.status) : response.status >= 200 && response.status < 300;
    return { passed: ok, reason: `${gate.method ?? 'GET'} ${new URL(gate.url).origin}${new URL(gate.url).pathname} answered ${response.status}${ok ? '' : ` (expected ${expected.length > 0 ? expected.join(', ') : '2xx'})`}` };
  } catch (error) {
    return { passed: false, reason: `${gate.method ?? 'GET'} ${new URL(gate.url).origin}${new URL(gate.url).pathname} failed: ${(error as Error).name === 'TimeoutError' ? 'timed out' : (error as Error).message}` };
  }
}

const comparisons: Record<string, (value: number, threshold: number) => boolean> = {
  '<': (value, threshold) => value < threshold, '<=': (value, threshold) => value <= threshold,
  '>': (value, threshold) => value > threshold, '>=': (value, threshold) => value >= threshold,
  '==': (value, threshold) => value === threshold, '!=': (value, threshold) => value !== threshold,
};

async function prometheusGate(gate: Extract<Gate, { type: 'prometheus' }>, context: GateContext): Promise<GateVerdict> {
  const url = new URL('api/v1/query', gate.url.endsWith('/') ? gate.url : `${gate.url}/`);
  url.searchParams.set('query', gate.query);
  try {
    const response = await context.fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return { passed: false, reason: `Prometheus ${url.origin} answered ${response.status}` };
    const body = (await response.json()) as { data?: { resultType?: string; result?: unknown } };
    const result = body.data?.result;
    const sample = body.data?.resultType === 'scalar' ? (result as [number, string])[1]
      : Array.isArray(result) && result.length > 0 ? (result[0] as { value?: [number, string] }).value?.[1] : undefined;
    const value = sample === undefined ? Number.NaN : Number(sample);
    if (Number.isNaN(value)) return { passed: false, reason: `the query returned no sample` };
    const passed = comparisons[gate.comparison](value, gate.threshold);
    return { passed, reason: `query = ${value} ${passed ? '' : 'not '}${gate.comparison} ${gate.threshold}`.replace('  ', ' ') };
  } catch (error) {
    return { passed: false, reason: `Prometheus ${url.origin} failed: ${(error as Error).message}` };
  }
}

/** One gate for one freight: passed or not, with the reason shown in status. */
export async function evaluateGate(gate: Gate, context: GateContext): Promise<GateVerdict> {
  const { freight, upstream } = context;
  switch (gate.type) {
    case 'healthy': {
      if (upstream.length === 0) return { passed: true, reason: 'no upstream stage' };
      for (const view of upstream) {
        if (view.state.currentFreight !== freight.id) return { passed: false, reason: `${freight.alias} is not the current freight of ${view.name}` };
        if (!view.state.healthySince) return { passed: false, reason: `${freight.alias} is not yet healthy in ${view.name} after its promotion's sync` };
        const unhealthy = view.apps.find((app) => app.health !== 'Healthy' || app.syncPhase !== 'Succeeded');
        if (unhealthy) return { passed: false, reason: `${unhealthy.app} in ${view.name} is ${unhealthy.health ?? 'Unknown'} (sync ${unhealthy.syncPhase ?? 'none'})` };
      }
      return { passed: true, reason: `healthy in ${upstream.map((view) => view.name).join(', ')}` };
    }
    case 'soak': {
      if (upstream.length === 0) return { passed: true, reason: 'no upstream stage' };
      const need = durationMs(gate.duration);
      for (const view of upstream) {
        if (view.state.currentFreight !== freight.id || !view.state.healthySince) return { passed: false, reason: `${freight.alias} is not healthy in ${view.name} yet` };
        const until = Date.parse(view.state.healthySince) + need;
        if (until > context.now) return { passed: false, reason: `soaking in ${view.name}: ${Math.ceil((until - context.now) / 1000)}s of ${gate.duration} left`, recheckAt: until };
      }
      return { passed: true, reason: `soaked ${gate.duration} in ${upstream.map((view) => view.name).join(', ')}` };
    }
    case 'commitStatus': {
      const subjects = new Set([freight.id, ...freight.commits.map((commit) => commit.id),
        ...upstream.flatMap((view) => view.state.promotion?.freight === freight.id ? view.state.promotion.revisions.map((entry) => entry.revision) : [])]);
      const statuses = context.commitStatuses.filter((status) => status.key === gate.key && subjects.has(status.subject)).sort((a, b) => b.at.localeCompare(a.at));
      const latest = statuses[0];
      if (!latest) return { passed: false, reason: `no ${gate.key} commit status for ${freight.alias} yet` };
      return { passed: latest.state === 'success', reason: `${gate.key} is ${latest.state}${latest.description ? `: ${latest.description}` : ''}` };
    }
    case 'expression': {
      if (!context.evaluateExpression) return { passed: false, reason: 'expression gates cannot be evaluated: no expression evaluator' };
      try {
        for (const variables of expressionContexts(context)) {
          const value = context.evaluateExpression(gate.expression, variables);
          const app = (variables.app as { name?: string } | undefined)?.name;
          if (value !== true) return { passed: false, reason: `${gate.expression} is ${JSON.stringify(value)}${app ? ` for ${app}` : ''}` };
        }
        return { passed: true, reason: `${gate.expression} is true` };
      } catch (error) {
        return { passed: false, reason: `${gate.expression}: ${(error as Error).message}` };
      }
    }
    case 'http':
      return httpGate(gate, context);
    case 'prometheus':
      return prometheusGate(gate, context);
  }
}
