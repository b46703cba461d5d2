import { checkGenerator } from './generators.ts';
import { GoTemplateError, parseGoTemplate } from './go-template.ts';
import type { ApplicationSet } from './schema.ts';

type Path = Array<string | number>;

export interface ApplicationSetFinding {
  path: Path;
  detail: string;
}

/** `spec.generators[0].git.repoURL` → `['spec', 'generators', 0, 'git', 'repoURL']`. */
export function parseFieldPath(field: string): Path {
  const path: Path = [];
  for (const match of field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) path.push(match[2] !== undefined ? Number(match[2]) : match[1]);
  return path;
}

const supportedTemplateOptions = new Set(['missingkey=error', 'missingkey=default', 'missingkey=invalid', 'missingkey=zero']);

/**
 * Load-time checks of an ApplicationSet that need no generator input: generator kinds and fields, and
 * (goTemplate) that every template string stays inside Tidewater's Go template subset.
 */
export function checkApplicationSet(applicationSet: ApplicationSet): { errors: ApplicationSetFinding[]; warnings: ApplicationSetFinding[] } {
  const errors: ApplicationSetFinding[] = [];
  const warnings: ApplicationSetFinding[] = [];
  applicationSet.spec.generators.forEach((generator, index) => {
    const checked = checkGenerator(generator, `spec.generators[${index}]`);
    for (const error of checked.errors) errors.push({ path: parseFieldPath(error.field), detail: error.message.slice(error.field.length + 2) });
    for (const warning of checked.warnings) warnings.push({ path: parseFieldPath(warning.field), detail: warning.detail });
  });
  (applicationSet.spec.goTemplateOptions ?? []).forEach((option, index) => {
    if (!supportedTemplateOptions.has(option)) warnings.push({ path: ['spec', 'goTemplateOptions', index], detail: `option ${option} is not supported and is ignored` });
  });
  if (applicationSet.spec.goTemplate) {
    const visit = (value: unknown, path: Path) => {
      if (typeof value === 'string') {
        try {
          parseGoTemplate(value);
        } catch (error) {
          if (error instanceof GoTemplateError) errors.push({ path, detail: error.message });
          else throw error;
        }
      } else if (Array.isArray(value)) value.forEach((item, index) => visit(item, [...path, index]));
      else if (value !== null && typeof value === 'object') for (const [key, inner] of Object.entries(value)) visit(inner, [...path, key]);
    };
    visit(applicationSet.spec.template, ['spec', 'template']);
    if (applicationSet.spec.templatePatch !== undefined) visit(applicationSet.spec.templatePatch, ['spec', 'templatePatch']);
  }
  return { errors, warnings };
}
