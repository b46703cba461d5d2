import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { AppProject } from './schema/app-project.ts';
import { ArgoApplication } from './schema/application.ts';
import { PipelineDocument } from './pipelines/pipeline.ts';
import { KargoProject, KargoProjectConfig, KargoPromotionTask, KargoStage, KargoWarehouse } from './pipelines/kargo-schema.ts';
import { ArgoCDCommitStatus, PromoterGitRepository, PromotionStrategy, TimedCommitStatus } from './pipelines/gitops-promoter-schema.ts';

// The field table in shared/config/README.md says, for every Argo CD Application and AppProject field, whether
// Tidewater honours, warns about or refuses it. This test keeps it true: every field the schemas accept has a row.

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  options?: z.ZodType[];
}

const defOf = (schema: z.ZodType): Def => schema._zod.def as unknown as Def;
const wrapperTypes = new Set(['optional', 'nullable', 'default', 'prefault', 'nonoptional', 'readonly', 'catch']);

/** Every field path a schema knows: `spec.source.helm.parameters[].name`; records and free-form values are leaves. */
function schemaFieldPaths(schema: z.ZodType, path = ''): string[] {
  const def = defOf(schema);
  if (wrapperTypes.has(def.type)) return def.innerType ? schemaFieldPaths(def.innerType, path) : [];
  switch (def.type) {
    case 'pipe':
      return def.in && defOf(def.in).type !== 'transform' ? schemaFieldPaths(def.in, path) : def.out ? schemaFieldPaths(def.out, path) : [];
    case 'object':
      return Object.entries(def.shape ?? {}).flatMap(([key, field]) => {
        const fieldPath = path ? `${path}.${key}` : key;
        return [fieldPath, ...schemaFieldPaths(field, fieldPath)];
      });
    case 'array':
      return def.element ? schemaFieldPaths(def.element, `${path}[]`) : [];
    case 'union':
      return [...new Set((def.options ?? []).flatMap((option) => schemaFieldPaths(option, path)))];
    default:
      return [];
  }
}

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

interface Row {
  verdict: string;
  /** Marked `<!-- issue 9: verify -->`: behaviour delivered in a parallel branch, checked by the lead after merging. */
  verify: boolean;
}

/** Rows of one field table (`### Application fields`): the `code` path in the first cell → its verdict. */
function tableRows(heading: string): Map<string, Row> {
  const rows = new Map<string, Row>();
  const lines = readme.split('\n');
  const start = lines.indexOf(`### ${heading}`);
  if (start === -1) return rows;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    const match = /^\| `([^`]+)` \| (honoured|warned|refused) \|/.exec(line);
    if (match) rows.set(match[1], { verdict: match[2], verify: line.includes('<!-- issue 9: verify -->') });
  }
  return rows;
}

describe('shared/config/README.md field table', () => {
  const tables = [
    { heading: 'Application fields', schema: ArgoApplication },
    { heading: 'AppProject fields', schema: AppProject },
    // Promotion pipelines: Tidewater's own kind and the peer documents translated into it.
    { heading: 'Pipeline fields', schema: PipelineDocument },
    { heading: 'Kargo Project fields', schema: KargoProject },
    { heading: 'Kargo ProjectConfig fields', schema: KargoProjectConfig },
    { heading: 'Kargo Warehouse fields', schema: KargoWarehouse },
    { heading: 'Kargo Stage fields', schema: KargoStage },
    { heading: 'Kargo PromotionTask fields', schema: KargoPromotionTask },
    { heading: 'GitOps Promoter PromotionStrategy fields', schema: PromotionStrategy },
    { heading: 'GitOps Promoter GitRepository fields', schema: PromoterGitRepository },
    { heading: 'GitOps Promoter TimedCommitStatus fields', schema: TimedCommitStatus },
    { heading: 'GitOps Promoter ArgoCDCommitStatus fields', schema: ArgoCDCommitStatus },
  ];

  for (const { heading, schema } of tables) {
    it(`has a row for every field the ${heading.replace(/ fields$/, '')} schema accepts`, () => {
      const rows = tableRows(heading);
      const fields = schemaFieldPaths(schema).filter((field) => !['apiVersion', 'kind'].includes(field));
      expect(fields.length).toBeGreaterThan(5);
      expect(fields.filter((field) => !rows.has(field))).toEqual([]);
    });

    it(`marks no field of ${heading.replace(/ fields$/, '')} "honoured" that the schema drops (unless it awaits a parallel branch)`, () => {
      const known = new Set(schemaFieldPaths(schema));
      const wrong = [...tableRows(heading)].filter(([field, row]) => row.verdict === 'honoured' && !row.verify && !known.has(field));
      expect(wrong.map(([field]) => field)).toEqual([]);
    });
  }

  it('finds the sections it checks', () => {
    expect(tableRows('Application fields').size).toBeGreaterThan(60);
    expect(tableRows('AppProject fields').size).toBeGreaterThan(20);
  });
});
