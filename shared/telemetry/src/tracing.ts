import {
  context, propagation, trace, SpanKind, SpanStatusCode, ROOT_CONTEXT,
  type Span, type Context,
} from '@opentelemetry/api';

const tracer = () => trace.getTracer('tidewater');

/** Serialises the active trace context into a carrier for a job payload or an event. */
export function injectTraceContext(activeContext: Context = context.active()): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(activeContext, carrier);
  return carrier;
}

/** Trace id of the active span, or undefined when tracing is off. */
export function currentTraceId(): string | undefined {
  const id = trace.getActiveSpan()?.spanContext().traceId;
  return id && !/^0+$/.test(id) ? id : undefined;
}

/**
 * Runs `work` inside a span continuing the trace in `carrier` (from a job or event): a CONSUMER span for queue
 * work, SERVER for requests. Errors mark the span and propagate.
 */
export async function withSpan<T>(
  name: string,
  options: { carrier?: Record<string, string>; kind?: 'consumer' | 'server' | 'internal' | 'producer'; attributes?: Record<string, string | number | boolean> },
  work: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.carrier ? propagation.extract(ROOT_CONTEXT, options.carrier) : context.active();
  const kind = { consumer: SpanKind.CONSUMER, server: SpanKind.SERVER, internal: SpanKind.INTERNAL, producer: SpanKind.PRODUCER }[options.kind ?? 'internal'];
  return tracer().startActiveSpan(name, { kind, attributes: options.attributes }, parent, async (span) => {
    try {
      const result = await work(span);
      span.setStatus({ code: SpanStatusCode.OK });
      return result;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
