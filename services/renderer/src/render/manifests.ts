import { parseAllDocuments } from 'yaml';
import type { KubernetesObject } from '@tidewater/queues';
import { permanent } from '../errors/permanent.ts';

export interface ManifestSource {
  /** What the text came from, as an operator knows it: `apps/web/deploy.yaml`, `kustomize build apps/web`. */
  label: string;
  text: string;
  /** For tool output: names a document by its `# Source:` comment (helm) when there is one. */
  labelDocumentsBySourceComment?: boolean;
}

/**
 * Parses multi-document YAML (or JSON) into Kubernetes objects: empty documents are skipped, a `kind: List`
 * expands to its items, and every object must have apiVersion, kind and metadata.name. Errors are permanent and
 * name the file and 1-based document index, e.g. `apps/web/deploy.yaml document 2: missing kind`.
 */
export function parseManifests(source: ManifestSource): KubernetesObject[] {
  const documents = parseAllDocuments(source.text, { merge: true, prettyErrors: true, uniqueKeys: false });
  const objects: KubernetesObject[] = [];
  const list = Array.isArray(documents) ? documents : [documents];
  list.forEach((document, index) => {
    const where = documentLabel(source, index, document.commentBefore ?? document.contents?.commentBefore);
    const firstError = document.errors[0];
    if (firstError) throw permanent(`${where} is not valid YAML: ${oneLine(firstError.message)}`);
    if (document.contents === null) return;
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 1_000 });
    } catch (error) {
      throw permanent(`${where} is not valid YAML: ${oneLine((error as Error).message)}`);
    }
    if (value === null || value === undefined) return;
    if (isList(value)) {
      value.items.forEach((item, itemIndex) => objects.push(validateObject(item, `${where} item ${itemIndex + 1}`)));
      return;
    }
    objects.push(validateObject(value, where));
  });
  return objects;
}

function documentLabel(source: ManifestSource, index: number, commentBefore: string | null | undefined): string {
  if (source.labelDocumentsBySourceComment && commentBefore) {
    const match = /Source:\s*(\S+)/.exec(commentBefore);
    if (match) return `${source.label} (${match[1]})`;
  }
  return `${source.label} document ${index + 1}`;
}

function isList(value: unknown): value is { items: unknown[] } {
  if (!isMapping(value)) return false;
  return typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items) && value.apiVersion === 'v1';
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the fields every Kubernetes object needs; names the first one missing. */
export function validateObject(value: unknown, where: string): KubernetesObject {
  if (!isMapping(value)) throw permanent(`${where}: not a Kubernetes object (expected a mapping, got ${describe(value)})`);
  if (typeof value.apiVersion !== 'string' || value.apiVersion === '') throw permanent(`${where}: missing apiVersion`);
  if (typeof value.kind !== 'string' || value.kind === '') throw permanent(`${where}: missing kind`);
  const metadata = value.metadata;
  if (!isMapping(metadata)) throw permanent(`${where}: missing metadata.name (${value.kind})`);
  if (typeof metadata.name !== 'string' || metadata.name === '') throw permanent(`${where}: missing metadata.name (${value.kind})`);
  return value as unknown as KubernetesObject;
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'a string';
  return typeof value;
}

function oneLine(message: string): string {
  return message.split('\n')[0].trim();
}
