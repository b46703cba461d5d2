import { stringify } from 'yaml';

/**
 * The subset of Go's text/template (plus the Sprig functions) that ApplicationSet templates use, for
 * `goTemplate: true`. Supported: `{{ .a.b }}`, `$` / `$.a`, `.`, string / number / bool literals,
 * pipelines (`.x | lower`), parenthesised calls, `{{- -}}` trimming, `if` / `else if` / `else` / `end`,
 * and the functions in `goTemplateFunctions`. Anything else (range, with, define, template, block,
 * variables `$x :=`) is refused with an error naming it, so a template never renders half-understood.
 */

export class GoTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GoTemplateError';
  }
}

export interface GoTemplateOptions {
  /** `missingkey=error`: a field that the parameters lack is an error instead of `<no value>`. */
  missingKeyError: boolean;
}

type Value = unknown;
type Node =
  | { type: 'text'; text: string }
  | { type: 'action'; pipeline: Pipeline }
  | { type: 'if'; branches: Array<{ condition: Pipeline; body: Node[] }>; otherwise: Node[] };
type Pipeline = Command[];
type Command = Operand[];
type Operand =
  | { type: 'field'; root: 'dot' | 'dollar'; path: string[] }
  | { type: 'literal'; value: Value }
  | { type: 'function'; name: string }
  | { type: 'pipeline'; pipeline: Pipeline; path: string[] };

const noValue = '<no value>';
const unsupportedKeywords = new Set(['range', 'with', 'define', 'template', 'block', 'break', 'continue']);

const isTruthy = (value: Value): boolean => {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
};

const toText = (value: Value): string => {
  if (value === undefined || value === null) return noValue;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(toText).join(' ')}]`;
  return `map[${Object.entries(value as Record<string, Value>)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([key, inner]) => `${key}:${toText(inner)}`)
    .join(' ')}]`;
};

const str = (value: Value): string => (value === undefined || value === null ? '' : typeof value === 'string' ? value : toText(value));

function printf(format: string, ...args: Value[]): string {
  let index = 0;
  return format.replace(/%([-+# 0]*\d*(?:\.\d+)?)([svdqtfx%])/g, (_match, _flags: string, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[index++];
    if (verb === 'q') return JSON.stringify(str(arg));
    if (verb === 'd') return String(Math.trunc(Number(arg)));
    if (verb === 'f') return String(Number(arg));
    if (verb === 'x') return typeof arg === 'number' ? arg.toString(16) : Buffer.from(str(arg)).toString('hex');
    return toText(arg);
  });
}

const normalize = (value: string) =>
  value
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');

/** Functions available in `goTemplate: true` templates (Go builtins and the Sprig ones ApplicationSets use). */
export const goTemplateFunctions: Record<string, (...args: Value[]) => Value> = {
  index: (collection, ...keys) => {
    let current = collection;
    for (const key of keys) {
      if (current === undefined || current === null || typeof current !== 'object') return undefined;
      current = (current as Record<string, Value>)[String(key)];
    }
    return current;
  },
  default: (fallback, value) => (isTruthy(value) ? value : fallback),
  empty: (value) => !isTruthy(value),
  coalesce: (...values) => values.find(isTruthy),
  ternary: (whenTrue, whenFalse, condition) => (isTruthy(condition) ? whenTrue : whenFalse),
  printf: (format, ...args) => printf(str(format), ...args),
  print: (...args) => args.map(toText).join(''),
  lower: (value) => str(value).toLowerCase(),
  upper: (value) => str(value).toUpperCase(),
  title: (value) => str(value).replace(/\b\w/g, (letter) => letter.toUpperCase()),
  replace: (from, to, value) => str(value).split(str(from)).join(str(to)),
  trim: (value) => str(value).trim(),
  trimPrefix: (prefix, value) => (str(value).startsWith(str(prefix)) ? str(value).slice(str(prefix).length) : str(value)),
  trimSuffix: (suffix, value) => (str(value).endsWith(str(suffix)) && str(suffix) !== '' ? str(value).slice(0, -str(suffix).length) : str(value)),
  trunc: (length, value) => {
    const count = Number(length);
    return count >= 0 ? str(value).slice(0, count) : str(value).slice(count);
  },
  quote: (value) => JSON.stringify(str(value)),
  squote: (value) => `'${str(value)}'`,
  contains: (needle, haystack) => str(haystack).includes(str(needle)),
  hasPrefix: (prefix, value) => str(value).startsWith(str(prefix)),
  hasSuffix: (suffix, value) => str(value).endsWith(str(suffix)),
  join: (separator, list) => (Array.isArray(list) ? list.map(str).join(str(separator)) : str(list)),
  split: (separator, value) => Object.fromEntries(str(value).split(str(separator)).map((part, index) => [`_${index}`, part])),
  splitList: (separator, value) => str(value).split(str(separator)),
  list: (...values) => values,
  dict: (...pairs) => Object.fromEntries(Array.from({ length: Math.floor(pairs.length / 2) }, (_, index) => [str(pairs[index * 2]), pairs[index * 2 + 1]])),
  len: (value: Value) => (typeof value === 'string' || Array.isArray(value) ? value.length : value && typeof value === 'object' ? Object.keys(value).length : 0),
  eq: (left, ...rights) => rights.some((right) => left === right),
  ne: (left, right) => left !== right,
  lt: (left, right) => (left as number) < (right as number),
  le: (left, right) => (left as number) <= (right as number),
  gt: (left, right) => (left as number) > (right as number),
  ge: (left, right) => (left as number) >= (right as number),
  not: (value) => !isTruthy(value),
  and: (...values) => values.find((value) => !isTruthy(value)) ?? values.at(-1),
  or: (...values) => values.find(isTruthy) ?? values.at(-1),
  toString: (value: Value) => str(value),
  toJson: (value) => JSON.stringify(value ?? null),
  toRawJson: (value) => JSON.stringify(value ?? null),
  toYaml: (value) => stringify(value ?? null).trimEnd(),
  indent: (spaces, value) => str(value).split('\n').map((line) => ' '.repeat(Number(spaces)) + line).join('\n'),
  nindent: (spaces, value) => `\n${str(value).split('\n').map((line) => ' '.repeat(Number(spaces)) + line).join('\n')}`,
  normalize: (value) => normalize(str(value)),
  slugify: (value) => normalize(str(value)).replace(/\./g, '-').slice(0, 50).replace(/-+$/, ''),
  b64enc: (value) => Buffer.from(str(value)).toString('base64'),
};

// ---- lexing and parsing ----

interface Token {
  kind: 'field' | 'dollar' | 'dot' | 'string' | 'number' | 'ident' | 'pipe' | 'open' | 'close' | 'declare';
  text: string;
}

function tokenize(action: string): Token[] {
  const tokens: Token[] = [];
  let position = 0;
  while (position < action.length) {
    const rest = action.slice(position);
    const space = /^\s+/.exec(rest);
    if (space) {
      position += space[0].length;
      continue;
    }
    const match =
      /^"(?:[^"\\]|\\.)*"/.exec(rest) ??
      /^`[^`]*`/.exec(rest) ??
      /^\$[A-Za-z_]\w*/.exec(rest) ??
      /^\$(?:\.[A-Za-z_][\w-]*)*/.exec(rest) ??
      /^(?:\.[A-Za-z_][\w]*)+/.exec(rest) ??
      /^\./.exec(rest) ??
      /^-?\d+(?:\.\d+)?/.exec(rest) ??
      /^[A-Za-z_]\w*/.exec(rest) ??
      /^:?=|^[|()]/.exec(rest);
    if (!match) throw new GoTemplateError(`unexpected character ${JSON.stringify(rest[0])} in {{${action}}}`);
    const text = match[0];
    position += text.length;
    if (text.startsWith('"')) tokens.push({ kind: 'string', text: JSON.parse(text) as string });
    else if (text.startsWith('`')) tokens.push({ kind: 'string', text: text.slice(1, -1) });
    else if (/^\$[A-Za-z_]/.test(text)) throw new GoTemplateError(`template variables (${text}) are not in Tidewater's Go template subset`);
    else if (text.startsWith('$')) tokens.push({ kind: 'dollar', text });
    else if (text === '.') tokens.push({ kind: 'dot', text });
    else if (text.startsWith('.')) tokens.push({ kind: 'field', text });
    else if (/^-?\d/.test(text)) tokens.push({ kind: 'number', text });
    else if (text === '|') tokens.push({ kind: 'pipe', text });
    else if (text === '(') tokens.push({ kind: 'open', text });
    else if (text === ')') tokens.push({ kind: 'close', text });
    else if (text === ':=' || text === '=') throw new GoTemplateError(`variable assignment is not in Tidewater's Go template subset`);
    else tokens.push({ kind: 'ident', text });
  }
  return tokens;
}

function parsePipeline(tokens: Token[], start: number, untilClose: boolean): { pipeline: Pipeline; next: number } {
  const pipeline: Pipeline = [];
  let command: Command = [];
  let index = start;
  while (index < tokens.length) {
    const token = tokens[index];
    if (token.kind === 'close') {
      if (!untilClose) throw new GoTemplateError('unexpected ")"');
      break;
    }
    index++;
    if (token.kind === 'pipe') {
      if (command.length === 0) throw new GoTemplateError('missing command before "|"');
      pipeline.push(command);
      command = [];
      continue;
    }
    if (token.kind === 'open') {
      const inner = parsePipeline(tokens, index, true);
      if (tokens[inner.next]?.kind !== 'close') throw new GoTemplateError('unclosed "("');
      index = inner.next + 1;
      let path: string[] = [];
      if (tokens[index]?.kind === 'field') path = tokens[index++].text.slice(1).split('.');
      command.push({ type: 'pipeline', pipeline: inner.pipeline, path });
      continue;
    }
    if (token.kind === 'field') command.push({ type: 'field', root: 'dot', path: token.text.slice(1).split('.') });
    else if (token.kind === 'dot') command.push({ type: 'field', root: 'dot', path: [] });
    else if (token.kind === 'dollar') command.push({ type: 'field', root: 'dollar', path: token.text.slice(1).split('.').filter(Boolean) });
    else if (token.kind === 'string') command.push({ type: 'literal', value: token.text });
    else if (token.kind === 'number') command.push({ type: 'literal', value: Number(token.text) });
    else if (token.text === 'true' || token.text === 'false') command.push({ type: 'literal', value: token.text === 'true' });
    else if (token.text === 'nil') command.push({ type: 'literal', value: null });
    else {
      if (unsupportedKeywords.has(token.text)) throw new GoTemplateError(`"${token.text}" is not in Tidewater's Go template subset`);
      if (!Object.hasOwn(goTemplateFunctions, token.text)) throw new GoTemplateError(`function "${token.text}" is not defined in Tidewater's Go template subset`);
      command.push({ type: 'function', name: token.text });
    }
  }
  if (command.length === 0) throw new GoTemplateError(pipeline.length ? 'missing command after "|"' : 'empty action');
  pipeline.push(command);
  return { pipeline, next: index };
}

/** Parses a template into nodes; throws GoTemplateError for anything outside the subset. */
export function parseGoTemplate(template: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { type: 'if' }>; target: Node[] }> = [];
  let current = root;
  let position = 0;
  let trimNextText = false;
  const pushText = (text: string) => {
    if (text) current.push({ type: 'text', text });
  };
  while (position < template.length) {
    const open = template.indexOf('{{', position);
    if (open < 0) {
      pushText(trimNextText ? template.slice(position).trimStart() : template.slice(position));
      break;
    }
    const close = template.indexOf('}}', open + 2);
    if (close < 0) throw new GoTemplateError('unclosed action: "{{" without "}}"');
    let text = template.slice(position, open);
    if (trimNextText) text = text.trimStart();
    let body = template.slice(open + 2, close);
    if (/^-\s/.test(body)) {
      text = text.trimEnd();
      body = body.slice(1);
    }
    trimNextText = /\s-$/.test(body);
    if (trimNextText) body = body.slice(0, -1);
    pushText(text);
    position = close + 2;
    const trimmed = body.trim();
    if (trimmed.startsWith('/*')) continue; // comment
    const keyword = /^([A-Za-z]+)\b/.exec(trimmed)?.[1];
    if (keyword === 'if') {
      const node: Extract<Node, { type: 'if' }> = { type: 'if', branches: [{ condition: parseAction(trimmed.slice(2)), body: [] }], otherwise: [] };
      current.push(node);
      stack.push({ node, target: current });
      current = node.branches[0].body;
    } else if (keyword === 'else') {
      const top = stack.at(-1);
      if (!top) throw new GoTemplateError('"else" without "if"');
      const elseIf = /^else\s+if\b/.exec(trimmed);
      if (elseIf) {
        const branch = { condition: parseAction(trimmed.slice(elseIf[0].length)), body: [] as Node[] };
        top.node.branches.push(branch);
        current = branch.body;
      } else {
        current = top.node.otherwise;
      }
    } else if (keyword === 'end') {
      const top = stack.pop();
      if (!top) throw new GoTemplateError('"end" without "if"');
      current = top.target;
    } else {
      if (keyword && unsupportedKeywords.has(keyword)) throw new GoTemplateError(`"${keyword}" is not in Tidewater's Go template subset`);
      current.push({ type: 'action', pipeline: parseAction(trimmed) });
    }
  }
  if (stack.length > 0) throw new GoTemplateError('"if" without "end"');
  return root;
}

function parseAction(text: string): Pipeline {
  const tokens = tokenize(text);
  const { pipeline, next } = parsePipeline(tokens, 0, false);
  if (next < tokens.length) throw new GoTemplateError('unexpected ")"');
  return pipeline;
}

// ---- evaluation ----

function walk(value: Value, path: string[], shown: string, options: GoTemplateOptions): Value {
  let current = value;
  for (const [index, key] of path.entries()) {
    if (current !== null && typeof current === 'object' && !Array.isArray(current) && key in (current as object)) {
      current = (current as Record<string, Value>)[key];
      continue;
    }
    const field = `${shown}${path.slice(0, index + 1).join('.')}`;
    if (current === undefined || current === null || typeof current !== 'object') {
      if (index === 0 && current === undefined) return undefined;
      throw new GoTemplateError(`can't evaluate field ${key} in ${field}: not a map`);
    }
    if (options.missingKeyError) throw new GoTemplateError(`map has no entry for key "${key}" (parameter ${field})`);
    return undefined;
  }
  return current;
}

function evaluatePipeline(pipeline: Pipeline, dot: Value, root: Value, options: GoTemplateOptions): Value {
  let previous: Value;
  let hasPrevious = false;
  for (const command of pipeline) {
    const args = command.map((operand) => evaluateOperand(operand, dot, root, options));
    const [head] = command;
    if (head.type === 'function') {
      const callArgs = args.slice(1);
      if (hasPrevious) callArgs.push(previous);
      previous = goTemplateFunctions[head.name](...callArgs);
    } else {
      if (command.length > 1 || hasPrevious) throw new GoTemplateError('only a function can take arguments');
      previous = args[0];
    }
    hasPrevious = true;
  }
  return previous;
}

function evaluateOperand(operand: Operand, dot: Value, root: Value, options: GoTemplateOptions): Value {
  if (operand.type === 'literal') return operand.value;
  if (operand.type === 'function') return undefined;
  if (operand.type === 'pipeline') {
    const value = evaluatePipeline(operand.pipeline, dot, root, options);
    return operand.path.length ? walk(value, operand.path, '(...).', options) : value;
  }
  return operand.root === 'dot' ? walk(dot, operand.path, '.', options) : walk(root, operand.path, '$.', options);
}

function execute(nodes: Node[], params: Value, options: GoTemplateOptions): string {
  let output = '';
  for (const node of nodes) {
    if (node.type === 'text') output += node.text;
    else if (node.type === 'action') output += toText(evaluatePipeline(node.pipeline, params, params, options));
    else {
      const branch = node.branches.find((candidate) => isTruthy(evaluatePipeline(candidate.condition, params, params, options)));
      output += execute(branch ? branch.body : node.otherwise, params, options);
    }
  }
  return output;
}

const parsedCache = new Map<string, Node[]>();

/** Renders one template string with the parameters; throws GoTemplateError naming the problem. */
export function renderGoTemplate(template: string, params: Record<string, unknown>, options: GoTemplateOptions): string {
  if (!template.includes('{{')) return template;
  let nodes = parsedCache.get(template);
  if (!nodes) {
    nodes = parseGoTemplate(template);
    if (parsedCache.size > 10_000) parsedCache.clear();
    parsedCache.set(template, nodes);
  }
  return execute(nodes, params, options);
}
