export interface GlobOptions {
  /** Characters `*` and `?` do not cross (`**` does). None by default, so `*` matches anything. */
  separators?: string;
  /** Whether a leading `!` negates the pattern (default true, as in AppProject sourceRepos and destinations). */
  negation?: boolean;
}

const compiled = new Map<string, RegExp>();

/**
 * Argo CD's glob matching (gobwas/glob): `*`, `**`, `?`, `[a-z]`, `[!a]`, `{a,b}`, `\` escapes, and a
 * leading `!` that negates the whole pattern. The pattern `*` matches everything, including the empty string.
 */
export function globMatch(pattern: string, value: string, options: GlobOptions = {}): boolean {
  const { separators = '', negation = true } = options;
  if (negation && pattern.startsWith('!')) return !globMatch(pattern.slice(1), value, { separators, negation: false });
  if (pattern === '*') return true;
  const cacheKey = `${separators}\u0000${pattern}`;
  let regex = compiled.get(cacheKey);
  if (!regex) {
    regex = new RegExp(`^${translate(pattern, separators)}$`, 's');
    compiled.set(cacheKey, regex);
  }
  return regex.test(value);
}

/** Whether a pattern is a deny (`!`) pattern. */
export function isDenyPattern(pattern: string): boolean {
  return pattern.startsWith('!');
}

const escapeRegex = (text: string) => text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

function translate(pattern: string, separators: string): string {
  const notSeparator = separators ? `[^${escapeRegex(separators)}]` : '.';
  let out = '';
  let index = 0;
  while (index < pattern.length) {
    const char = pattern[index];
    if (char === '\\' && index + 1 < pattern.length) {
      out += escapeRegex(pattern[index + 1]);
      index += 2;
    } else if (char === '*') {
      const superStar = pattern[index + 1] === '*';
      out += superStar ? '.*' : `${notSeparator}*`;
      index += superStar ? 2 : 1;
    } else if (char === '?') {
      out += notSeparator;
      index += 1;
    } else if (char === '[') {
      const close = pattern.indexOf(']', index + 2);
      if (close === -1) {
        out += '\\[';
        index += 1;
        continue;
      }
      let body = pattern.slice(index + 1, close);
      const negated = body.startsWith('!') || body.startsWith('^');
      if (negated) body = body.slice(1);
      out += `[${negated ? '^' : ''}${body.replace(/[\\\]^[]/g, '\\$&')}]`;
      index = close + 1;
    } else if (char === '{') {
      const close = matchingBrace(pattern, index);
      if (close === -1) {
        out += '\\{';
        index += 1;
        continue;
      }
      const alternatives = splitAlternatives(pattern.slice(index + 1, close));
      out += `(?:${alternatives.map((alternative) => translate(alternative, separators)).join('|')})`;
      index = close + 1;
    } else {
      out += escapeRegex(char);
      index += 1;
    }
  }
  return out;
}

function matchingBrace(pattern: string, open: number): number {
  let depth = 0;
  for (let index = open; index < pattern.length; index += 1) {
    const char = pattern[index];
    if (char === '\\') index += 1;
    else if (char === '{') depth += 1;
    else if (char === '}' && --depth === 0) return index;
  }
  return -1;
}

function splitAlternatives(body: string): string[] {
  const alternatives: string[] = [];
  let depth = 0;
  let start = 0;
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index];
    if (char === '\\') index += 1;
    else if (char === '{') depth += 1;
    else if (char === '}') depth -= 1;
    else if (char === ',' && depth === 0) {
      alternatives.push(body.slice(start, index));
      start = index + 1;
    }
  }
  alternatives.push(body.slice(start));
  return alternatives;
}
