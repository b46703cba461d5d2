/**
 * Gate expressions (`type: expression`, GitOps Promoter's `successCondition`): CEL, parsed and evaluated by
 * `@marcbachmann/cel-js`, a tree-walking interpreter with no access to JavaScript globals (never `eval` or
 * `new Function`). Parsed at load so a typo refuses the configuration; evaluated by the promoter for each freight.
 *
 * The evaluation context (what an expression may name):
 * - `app`: the Application the gate is judged on (`{ name, status: { health: { status }, sync: { status, revision } } }`,
 *   as Argo CD shows it). For a gate that is the upstream stage's Application, for a verification this stage's; with
 *   several Applications the promoter evaluates once per Application and every one must pass.
 * - `<stageName>` (every stage of the pipeline, e.g. `staging`): `{ status }`, the freight's state in that stage:
 *   `Succeeded` (promoted and verified there), `Promoting`, `Verifying`, `Failed`, or `NotPromoted`.
 * - `freight`: `{ name, alias, images: [{ repoURL, tag, digest }], commits: [{ repoURL, id, branch, message }],
 *   charts: [{ repoURL, name, version }] }`.
 * - `commitStatuses`: `{ <key>: 'pending' | 'success' | 'failure' }`, set by external systems through the API for the
 *   freight's commit (keys never set are absent; test with `has(commitStatuses.key)` or `'key' in commitStatuses`).
 * - `stage`: the name of the stage being promoted to.
 * The result must be a boolean; an unknown variable or a type error is an evaluation error (the gate fails with it).
 */
import { parse, type ASTNode, type ParseResult } from '@marcbachmann/cel-js';

/** The variables the promoter provides (see the module comment); stage names are added per pipeline. */
export const expressionContextRoots: readonly string[] = ['app', 'freight', 'commitStatuses', 'stage'];

export interface ExpressionContext {
  app?: { name?: string; status?: { health?: { status?: string }; sync?: { status?: string; revision?: string } } };
  freight?: {
    name?: string;
    alias?: string;
    images?: Array<{ repoURL: string; tag?: string; digest?: string }>;
    commits?: Array<{ repoURL: string; id: string; branch?: string; message?: string }>;
    charts?: Array<{ repoURL: string; name?: string; version: string }>;
  };
  commitStatuses?: Record<string, 'pending' | 'success' | 'failure'>;
  stage?: string;
  /** Stage names → `{ status }`. */
  [stageName: string]: unknown;
}

export interface ParsedExpression {
  text: string;
  /** Variables the expression reads at its root (`app`, `staging`, ...), macro variables excluded. */
  roots: string[];
  evaluate: ParseResult;
}

export type ParseExpressionResult = { ok: true; expression: ParsedExpression } | { ok: false; error: string };
export type EvaluateExpressionResult = { ok: true; value: boolean } | { ok: false; error: string };

/** Parses a CEL expression; the error names the problem and its column, never quotes the expression. */
export function parseExpression(text: string): ParseExpressionResult {
  if (text.trim() === '') return { ok: false, error: 'expression is empty' };
  try {
    const evaluate = parse(text);
    return { ok: true, expression: { text, roots: rootIdentifiers(evaluate.ast), evaluate } };
  } catch (error) {
    return { ok: false, error: `does not parse as CEL: ${describeCelError(error)}` };
  }
}

/** Evaluates a parsed expression against the promoter's context; a non-boolean result is an error. */
export function evaluateExpression(parsed: ParsedExpression, context: ExpressionContext): EvaluateExpressionResult {
  let value: unknown;
  try {
    value = parsed.evaluate(context);
  } catch (error) {
    return { ok: false, error: describeCelError(error) };
  }
  if (typeof value !== 'boolean') return { ok: false, error: `expression must evaluate to a boolean, got ${value === null ? 'null' : typeof value}` };
  return { ok: true, value };
}

/** The first line of a CEL error plus its position (the library appends the source with a caret: left out). */
function describeCelError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = message.split('\n')[0]?.trim() ?? 'unknown error';
  const caret = /\n>\s+(\d+) \|.*\n(\s*)\^/.exec(message);
  if (!caret) return firstLine;
  const prefix = `>    ${caret[1]} | `.length;
  const column = caret[2].length - prefix + 1 + 1;
  return `${firstLine} (line ${caret[1]}, column ${Math.max(1, column)})`;
}

const macros = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

function rootIdentifiers(ast: ASTNode): string[] {
  const roots = new Set<string>();
  const visit = (node: unknown, bound: ReadonlySet<string>): void => {
    if (!isNode(node)) {
      if (Array.isArray(node)) for (const item of node) visit(item, bound);
      return;
    }
    if (node.op === 'id') {
      const name = node.args as unknown as string;
      if (!bound.has(name)) roots.add(name);
      return;
    }
    if (node.op === 'rcall') {
      const [method, receiver, args] = node.args as unknown as [string, unknown, unknown[]];
      visit(receiver, bound);
      const variable = args[0];
      if (macros.has(method) && isNode(variable) && variable.op === 'id') {
        const inner = new Set(bound).add(variable.args as unknown as string);
        for (const arg of args.slice(1)) visit(arg, inner);
        return;
      }
      for (const arg of args) visit(arg, bound);
      return;
    }
    if (node.op === 'call') {
      visit((node.args as unknown as [string, unknown[]])[1], bound);
      return;
    }
    visit(node.args, bound);
  };
  visit(ast, new Set());
  return [...roots];
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'op' in value && 'args' in value;
}
