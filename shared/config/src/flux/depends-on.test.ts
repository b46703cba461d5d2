import { describe, expect, it } from 'vitest';
import { buildConfig } from '../build-config.ts';
import { fluxDependencies } from './depends-on.ts';

const source = `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: apps, namespace: flux-system}
spec: {url: 'https://git.example/apps.git', ref: {branch: main}}`;
const kustomization = (name: string, namespace: string, dependsOn: string) => `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: ${name}, namespace: ${namespace}}
spec: {sourceRef: {kind: GitRepository, name: apps, namespace: flux-system}, path: ./${name}, prune: true${dependsOn ? `, dependsOn: [${dependsOn}]` : ''}}`;

describe('fluxDependencies', () => {
  it('names the Applications a Kustomization depends on (namespace defaults to its own), none for others', () => {
    const { config, errors, warnings } = buildConfig([{ file: 'flux.yaml', text: [
      source,
      kustomization('infra', 'flux-system', ''),
      kustomization('crds', 'platform', ''),
      kustomization('web', 'flux-system', '{name: infra}, {name: crds, namespace: platform}'),
    ].join('\n---\n') }]);
    expect(errors).toEqual([]);
    // dependsOn is acted on: no load warning for it.
    expect(warnings.map((warning) => warning.field)).not.toContain('spec.dependsOn');
    const byName = (name: string) => config.applications.find((application) => application.metadata.name === name)!;
    expect(fluxDependencies(byName('web'), config.applications)).toEqual(['infra', 'crds']);
    expect(fluxDependencies(byName('infra'), config.applications)).toEqual([]);
  });
});
