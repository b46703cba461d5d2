import { describe, expect, it } from 'vitest';
import { evaluateExpression, parseExpression, type ExpressionContext, type ParsedExpression } from './expression.ts';

const parsed = (text: string): ParsedExpression => {
  const result = parseExpression(text);
  if (!result.ok) throw new Error(result.error);
  return result.expression;
};

const context: ExpressionContext = {
  app: { name: 'web-staging', status: { health: { status: 'Healthy' }, sync: { status: 'Synced', revision: 'abc123' } } },
  staging: { status: 'Succeeded' },
  dev: { status: 'Failed' },
  freight: { name: 'f1', alias: 'brave-otter', images: [{ repoURL: 'ghcr.io/org/web', tag: '1.2.0', digest: 'sha256:aa' }], commits: [], charts: [] },
  commitStatuses: { 'argocd-health': 'success', timer: 'pending' },
  stage: 'production',
};

describe('parseExpression', () => {
  it('parses the seed examples and reports the variables they read', () => {
    expect(parsed("app.status.health.status == 'Healthy'").roots).toEqual(['app']);
    expect(parsed("staging.status == 'Succeeded'").roots).toEqual(['staging']);
    expect(parsed('securityScan.passed == true').roots).toEqual(['securityScan']);
  });

  it('does not count macro variables as roots', () => {
    expect(parsed("freight.images.exists(i, i.tag.startsWith('1.')) && has(commitStatuses.timer)").roots).toEqual(['freight', 'commitStatuses']);
  });

  it('refuses text that is not CEL, naming the position but not quoting the text', () => {
    for (const text of ["app.status ==", "staging.status = 'Succeeded'", "app.status.health.status == 'Healthy", '']) {
      const result = parseExpression(text);
      expect(result.ok, text).toBe(false);
      if (!result.ok && text !== '') {
        expect(result.error).toMatch(/^does not parse as CEL: .+/);
        expect(result.error).not.toContain('Healthy');
      }
    }
    const unterminated = parseExpression('app.status ==');
    expect(unterminated.ok ? '' : unterminated.error).toBe('does not parse as CEL: Unexpected token: EOF (line 1, column 14)');
  });

  it('refuses JavaScript that eval would run', () => {
    expect(parseExpression("process.exit(1); true").ok).toBe(false);
    expect(parseExpression('(() => true)()').ok).toBe(false);
  });
});

describe('evaluateExpression', () => {
  it('evaluates against the documented context', () => {
    expect(evaluateExpression(parsed("app.status.health.status == 'Healthy' && app.status.sync.status == 'Synced'"), context)).toEqual({ ok: true, value: true });
    expect(evaluateExpression(parsed("staging.status == 'Succeeded'"), context)).toEqual({ ok: true, value: true });
    expect(evaluateExpression(parsed("dev.status == 'Succeeded'"), context)).toEqual({ ok: true, value: false });
    expect(evaluateExpression(parsed("commitStatuses['argocd-health'] == 'success' && 'timer' in commitStatuses"), context)).toEqual({ ok: true, value: true });
    expect(evaluateExpression(parsed("freight.images.exists(i, i.tag.startsWith('1.'))"), context)).toEqual({ ok: true, value: true });
    expect(evaluateExpression(parsed("stage == 'production'"), context)).toEqual({ ok: true, value: true });
  });

  it('reports an unknown variable as an error, not as false', () => {
    const result = evaluateExpression(parsed('securityScan.passed == true'), context);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.error).toMatch(/securityScan/);
  });

  it('refuses a result that is not a boolean', () => {
    expect(evaluateExpression(parsed('app.status.health.status'), context)).toEqual({ ok: false, error: 'expression must evaluate to a boolean, got string' });
  });

  it('cannot reach JavaScript globals through the context', () => {
    const result = evaluateExpression(parsed("app.constructor.name == 'Object'"), context);
    expect(result.ok).toBe(false);
  });
});
