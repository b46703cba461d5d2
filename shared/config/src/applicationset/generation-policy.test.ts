import { describe, expect, it } from 'vitest';
import type { ArgoApplication } from '../schema/application.ts';
import type { EvaluationResult } from './evaluate.ts';
import { applyGeneration } from './generation-policy.ts';

const app = (name: string, path = 'p'): ArgoApplication => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name },
  spec: { project: 'default', source: { repoURL: 'https://git.example/x.git', path }, destination: { server: 'https://kubernetes.default.svc', namespace: 'ns' } },
}) as ArgoApplication;
const ok = (...applications: ArgoApplication[]): EvaluationResult => ({ ok: true, applications: applications.map((application, element) => ({ application, element })), warnings: [] });
const namesOf = (applications: readonly ArgoApplication[]) => applications.map((application) => `${application.metadata.name}:${application.spec.source.path}`);

describe('applyGeneration', () => {
  const previous = [app('a'), app('b')];

  it('a generator error keeps the previous set and says why', () => {
    const outcome = applyGeneration(previous, { ok: false, error: 'spec.generators[0].git: repository could not be read' });
    expect(outcome.keptPrevious).toBe(true);
    expect(namesOf(outcome.applications)).toEqual(['a:p', 'b:p']);
    expect(outcome.problem).toBe('generation failed, previous 2 Application(s) kept: spec.generators[0].git: repository could not be read');
  });

  it('a previously non-empty set becoming empty is suspicious unless allowEmpty', () => {
    expect(applyGeneration(previous, ok()).keptPrevious).toBe(true);
    expect(applyGeneration(previous, ok()).deleted).toEqual([]);
    const allowed = applyGeneration(previous, ok(), 'sync', { allowEmpty: true });
    expect(allowed).toMatchObject({ keptPrevious: false, deleted: ['a', 'b'], applications: [] });
  });

  it('applicationsSync limits what changes', () => {
    const next = ok(app('a', 'changed'), app('c'));
    expect(applyGeneration(previous, next, 'sync')).toMatchObject({ created: ['c'], updated: ['a'], deleted: ['b'], retained: [] });
    expect(namesOf(applyGeneration(previous, next, 'sync').applications)).toEqual(['a:changed', 'c:p']);
    expect(namesOf(applyGeneration(previous, next, 'create-only').applications)).toEqual(['a:p', 'c:p', 'b:p']);
    expect(namesOf(applyGeneration(previous, next, 'create-update').applications)).toEqual(['a:changed', 'c:p', 'b:p']);
    expect(namesOf(applyGeneration(previous, next, 'create-delete').applications)).toEqual(['a:p', 'c:p']);
  });
});
