import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseConfigText } from './build-config.ts';

// Compatibility target: every Argo CD Application and AppProject example in the design seeds loads unchanged.
// The seeds live beside the repository (/work/shared/seeds); TIDEWATER_SEEDS_DIR points elsewhere.
const seedsDir = process.env.TIDEWATER_SEEDS_DIR ?? fileURLToPath(new URL('../../../../shared/seeds/', import.meta.url));
const seedsPresent = existsSync(seedsDir);
if (!seedsPresent) console.warn(`[seeds-compat] ${seedsDir} not found: Argo CD compatibility examples not checked`);

interface ArgoExample {
  label: string;
  block: string;
  documentIndex: number;
  /** `spec:` holding only a comment, as in "spec:  # ... application specification": an elided fragment. */
  elided: boolean;
}

function argoExamples(): { examples: ArgoExample[]; skippedBlocks: string[] } {
  const examples: ArgoExample[] = [];
  const skippedBlocks: string[] = [];
  for (const seedFile of readdirSync(seedsDir).filter((name) => name.endsWith('.txt')).sort()) {
    const text = readFileSync(join(seedsDir, seedFile), 'utf8');
    const blocks = [...text.matchAll(/^[ \t]*```ya?ml[^\n]*\n([\s\S]*?)^[ \t]*```/gm)].map((match) => match[1]);
    blocks.forEach((block, blockIndex) => {
      const documents = parseAllDocuments(block);
      if (!Array.isArray(documents) || documents.some((document) => document.errors.length > 0)) {
        skippedBlocks.push(`${seedFile} block ${blockIndex}`);
        return;
      }
      documents.forEach((document, documentIndex) => {
        const value = document.toJS() as { apiVersion?: unknown; kind?: unknown; metadata?: { name?: string }; spec?: unknown } | null;
        if (typeof value?.apiVersion !== 'string' || !value.apiVersion.startsWith('argoproj.io/')) return;
        if (value.kind !== 'Application' && value.kind !== 'AppProject' && value.kind !== 'ApplicationSet') return;
        const label = `${seedFile} block ${blockIndex} document ${documentIndex}: ${value.kind} ${value.metadata?.name ?? '(unnamed)'}`;
        examples.push({ label, block, documentIndex, elided: value.spec === null || value.spec === undefined });
      });
    });
  }
  return { examples, skippedBlocks };
}

describe.skipIf(!seedsPresent)('Argo CD examples from the seeds', () => {
  const { examples, skippedBlocks } = seedsPresent ? argoExamples() : { examples: [], skippedBlocks: [] };
  const complete = examples.filter((example) => !example.elided);
  const elided = examples.filter((example) => example.elided);
  console.info(
    `[seeds-compat] ${complete.length} Application/AppProject examples checked; ${elided.length} elided fragments ` +
      `(spec holds only a comment); ${skippedBlocks.length} yaml blocks skipped as not valid YAML${skippedBlocks.length ? `: ${skippedBlocks.join(', ')}` : ''}`,
  );

  it('finds examples to check', () => {
    expect(complete.length).toBeGreaterThan(0);
  });

  it.each(complete.map((example) => [example.label, example] as const))(`loads unchanged: %s (of ${complete.length}; ${skippedBlocks.length} blocks skipped as invalid YAML)`, (_label, example) => {
    const { errors, warnings } = parseConfigText(example.block, example.label);
    const ownErrors = errors.filter((error) => error.documentIndex === example.documentIndex);
    const ownWarnings = warnings.filter((warning) => warning.documentIndex === example.documentIndex);
    for (const warning of ownWarnings) console.info(`[seeds-compat] warning: ${warning.message}`);
    expect(ownErrors.map((error) => error.message)).toEqual([]);
  });

  it.each(elided.map((example) => [example.label, example] as const))('refuses an elided fragment with a clear error: %s', (_label, example) => {
    const { errors } = parseConfigText(example.block, example.label);
    expect(errors.filter((error) => error.documentIndex === example.documentIndex).map((error) => `${error.field}: ${error.detail}`)).toEqual(['spec: is required']);
  });
});
