import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../build-config.ts';

const application = (retry: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: web}
spec:
  source: {repoURL: https://git.example.com/web.git, path: .}
  destination: {name: in-cluster, namespace: web}
  syncPolicy:
    automated: {}
    retry: ${retry}
`;

describe('syncPolicy.retry at load', () => {
  it('accepts Argo CD durations (Go-style or seconds) and refuses others naming the field', () => {
    expect(parseConfigText(application('{limit: 5, backoff: {duration: 5s, factor: 2, maxDuration: 1m30s}}'), 'web.yaml').errors).toEqual([]);
    expect(parseConfigText(application('{limit: -1, backoff: {duration: "10", maxDuration: 180}}'), 'web.yaml').errors).toEqual([]);
    const [error] = parseConfigText(application('{limit: 5, backoff: {duration: soon}}'), 'web.yaml').errors;
    expect(String(error)).toBe('ConfigError: web.yaml: document 0 (web): spec.syncPolicy.retry.backoff.duration: is not a duration like "5s", "2m" or "1m30s" (or a number of seconds)');
    expect(String(parseConfigText(application('{limit: 5, backoff: {factor: 0}}'), 'web.yaml').errors[0])).toMatch(/spec.syncPolicy.retry.backoff.factor/);
  });
});
