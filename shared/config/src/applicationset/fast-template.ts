/**
 * Argo CD's default (non-goTemplate) ApplicationSet syntax, valyala/fasttemplate with `{{` `}}`: each
 * `{{ key }}` (spaces trimmed) is replaced by the flat parameter of that name; a key with no parameter
 * is left as written, as Argo CD does.
 */
export function renderFastTemplate(template: string, params: Readonly<Record<string, string>>): string {
  if (!template.includes('{{')) return template;
  return template.replace(/\{\{([^{}]*)\}\}/g, (whole, key: string) => {
    const value = params[key.trim()];
    return value === undefined ? whole : value;
  });
}

/** Keys referenced by a fasttemplate string (`{{ a.b }}` → `a.b`). */
export function fastTemplateKeys(template: string): string[] {
  return [...template.matchAll(/\{\{([^{}]*)\}\}/g)].map((match) => match[1].trim());
}
