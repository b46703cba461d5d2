import { evaluateExpression, parseExpression, type ExpressionContext, type ParsedExpression } from '@tidewater/config';

/** `expression` gates: CEL parsed once per text (it was checked at load) and evaluated without `eval`. */
export function createCelEvaluator(): (expression: string, context: Record<string, unknown>) => boolean {
  const parsed = new Map<string, ParsedExpression>();
  return (expression, context) => {
    let compiled = parsed.get(expression);
    if (!compiled) {
      const result = parseExpression(expression);
      if (!result.ok) throw new Error(result.error);
      compiled = result.expression;
      parsed.set(expression, compiled);
    }
    const evaluated = evaluateExpression(compiled, context as ExpressionContext);
    if (!evaluated.ok) throw new Error(evaluated.error);
    return evaluated.value;
  };
}
