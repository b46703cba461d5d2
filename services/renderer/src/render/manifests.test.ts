import { describe, it, expect } from 'vitest';
import { UnrecoverableError } from 'bullmq';
import { parseManifests } from './manifests.ts';

const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;

describe('parseManifests', () => {
  it('reads multi-document YAML in order and skips empty documents', () => {
    const text = `---\n${configMap('a')}---\n# only a comment\n---\n${configMap('b')}---\n`;
    const objects = parseManifests({ label: 'apps/x/cm.yaml', text });
    expect(objects.map((object) => object.metadata.name)).toEqual(['a', 'b']);
  });

  it('expands a kind: List into its items', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: one}\n  - apiVersion: v1\n    kind: Secret\n    metadata: {name: two}\n';
    const objects = parseManifests({ label: 'list.yaml', text });
    expect(objects.map((object) => `${object.kind}/${object.metadata.name}`)).toEqual(['ConfigMap/one', 'Secret/two']);
  });

  it('reads JSON', () => {
    const objects = parseManifests({ label: 'x.json', text: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }) });
    expect(objects[0].kind).toBe('Namespace');
  });

  it('names the file and document of an object without kind', () => {
    const text = `${configMap('a')}---\napiVersion: apps/v1\nmetadata:\n  name: web\n`;
    expect(() => parseManifests({ label: 'apps/web/deploy.yaml', text })).toThrowError(new UnrecoverableError('apps/web/deploy.yaml document 2: missing kind'));
  });

  it('names the list item that lacks metadata.name', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: ConfigMap\n    metadata: {}\n';
    expect(() => parseManifests({ label: 'l.yaml', text })).toThrow('l.yaml document 1 item 1: missing metadata.name (ConfigMap)');
  });

  it('reports text that is not YAML with the parser message', () => {
    const attempt = () => parseManifests({ label: 'apps/bad/broken.yaml', text: 'apiVersion: v1\nkind: [ConfigMap\nmetadata: {name: x\n' });
    expect(attempt).toThrow(UnrecoverableError);
    expect(attempt).toThrow(/^apps\/bad\/broken.yaml document 1 is not valid YAML: .+/);
  });

  it('refuses a document that is a plain string', () => {
    expect(() => parseManifests({ label: 'notes.yaml', text: 'just some words' })).toThrow('notes.yaml document 1: not a Kubernetes object (expected a mapping, got a string)');
  });

  it('labels helm documents by their # Source comment', () => {
    const text = '---\n# Source: chart/templates/deploy.yaml\napiVersion: apps/v1\nmetadata:\n  name: x\n';
    expect(() => parseManifests({ label: 'helm template charts/x', text, labelDocumentsBySourceComment: true }))
      .toThrow('helm template charts/x (chart/templates/deploy.yaml): missing kind');
  });
});
