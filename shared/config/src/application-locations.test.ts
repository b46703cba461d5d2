import { describe, expect, it } from 'vitest';
import { buildConfig } from './build-config.ts';

const app = (name: string) => `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: ${name}}
spec:
  project: default
  source: {repoURL: 'https://git.example/x.git', path: ${name}}
  destination: {server: 'https://kubernetes.default.svc', namespace: ns}
`;
const set = `apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata: {name: listed}
spec:
  generators: [{list: {elements: [{app: gen}]}}]
  template:
    metadata: {name: '{{app}}'}
    spec:
      project: default
      source: {repoURL: 'https://git.example/x.git', path: p}
      destination: {server: 'https://kubernetes.default.svc', namespace: ns}
`;

describe('applicationLocations', () => {
  it('keeps the file and document of each Application, and the ApplicationSet of a generated one', () => {
    const { config, errors } = buildConfig([
      { file: 'apps/a.yaml', text: app('one') },
      { file: 'apps/b.yaml', text: `${app('two')}---\n${set}` },
    ]);
    expect(errors).toEqual([]);
    expect(config.applicationLocations).toEqual({
      one: expect.objectContaining({ file: 'apps/a.yaml', documentIndex: 0, documentName: 'one', field: '' }),
      two: expect.objectContaining({ file: 'apps/b.yaml', documentIndex: 0, documentName: 'two', field: '' }),
      gen: expect.objectContaining({ file: 'apps/b.yaml', documentIndex: 1, documentName: 'listed', applicationSet: 'listed' }),
    });
    expect(config.applicationSetLocations).toEqual({ listed: expect.objectContaining({ file: 'apps/b.yaml', documentIndex: 1 }) });
  });
});
