// Making the spans of vle-tasks: one tracer, a span around a piece of async work, a failure marked by
// its stable code. Spans carry ids, names, codes and counts: never a message body, a parameter or an
// error's text, which may hold what a person typed or a secret an external system echoed.

import { context, INVALID_SPAN_CONTEXT, propagation, SpanStatusCode, trace, TraceFlags, type Attributes, type Context, type Link, type Span, type SpanKind, type Tracer } from '@opentelemetry/api';
import { Attr } from './attributes.js';

/** The instrumentation scope of every span vle-tasks makes. */
export const TRACER_NAME = 'vle-tasks';

/**
 * The tracer of the global provider. Asked for each time rather than kept: the SDK registers its
 * provider at boot, and tests register one and take it away again.
 */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface SpanSpec {
  readonly name: string;
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  readonly links?: readonly (Link | undefined)[];
  /** The parent; default the active context. */
  readonly parent?: Context;
  /**
   * Where work enters vle-tasks (a request served, a command received, a run the scheduler starts):
   * without a parent the span starts a trace. Every other span only continues one: without a
   * parent (a job published while tracing was off, or in an unsampled trace, which is not
   * propagated) it is not made, and what runs inside is not traced either.
   */
  readonly entry?: boolean;
  /** Starts a trace of its own (its links say what it came from). */
  readonly root?: boolean;
}

/** The span of work outside any trace (above): records nothing, carries nothing. */
export const UNTRACED: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

let parentDecides = false;

/**
 * Tells the helpers below that the process's sampler follows the parent's decision (the
 * parentbased_* samplers, the default): the child of a span that is not sampled is not either.
 * Work that is not sampled, under an unsampled parent or where it entered, then runs UNTRACED,
 * without asking the SDK again below it: no new ids, attribute checks, sampler calls or contexts
 * for the unsampled commands, most of them where traces are sampled. Set by the service's SDK
 * (libs/service-kit tracing.ts); unregisterTracing clears it.
 */
export function followParentSampling(enabled: boolean): void {
  parentDecides = enabled;
}

/** A span that records nothing and whose trace is not sampled. */
function unsampled(span: Span): boolean {
  return !span.isRecording() && (span.spanContext().traceFlags & TraceFlags.SAMPLED) === 0;
}

/** Starts a span (not made active); `end` it yourself. */
export function startSpan(spec: SpanSpec): Span {
  return spanUnder(spec, spec.parent ?? context.active());
}

function spanUnder(spec: SpanSpec, parent: Context): Span {
  if (!spec.root) {
    const parentSpan = trace.getSpan(parent);
    if (parentSpan === UNTRACED) return UNTRACED;
    if (!parentSpan || !trace.isSpanContextValid(parentSpan.spanContext())) {
      if (!spec.entry) return UNTRACED;
    } else if (parentDecides && unsampled(parentSpan)) {
      return UNTRACED;
    }
  }
  const links = spec.links?.filter((link): link is Link => link !== undefined);
  const span = tracer().startSpan(spec.name, { kind: spec.kind, attributes: spec.attributes, links, root: spec.root }, parent);
  // Not sampled where it entered: untraced from here on, as its children would be.
  return parentDecides && unsampled(span) ? UNTRACED : span;
}

/**
 * Runs `work` inside a new span, active for everything it starts; the span ends when the work does.
 * A throw marks the span failed with the error's code (`codeOf`, default errorCodeOf) and goes on.
 */
export async function inSpan<T>(spec: SpanSpec, work: (span: Span) => Promise<T> | T, codeOf: (error: unknown) => string = errorCodeOf): Promise<T> {
  const current = context.active();
  const parent = spec.parent ?? current;
  const span = spanUnder(spec, parent);
  // Untraced work outside any span runs where it is: nothing inside it is traced either.
  const active = span === UNTRACED && trace.getSpan(current) === undefined ? current : trace.setSpan(parent, span);
  try {
    return await (active === current ? work(span) : context.with(active, () => work(span)));
  } catch (error) {
    markFailed(span, codeOf(error));
    throw error;
  } finally {
    span.end();
  }
}

/** Runs `work` with `span` active (a span started with startSpan), in the active context otherwise. */
export function withActiveSpan<T>(span: Span, work: () => T): T {
  const current = context.active();
  const active = trace.getSpan(current);
  return active === span || (span === UNTRACED && active === undefined) ? work() : context.with(trace.setSpan(current, span), work);
}

/** Marks a span failed: status ERROR with the code as its description, and `error.type`. */
export function markFailed(span: Span, code: string): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: code });
  span.setAttribute(Attr.errorType, code);
}

/**
 * The stable code of an error (the codes of the contract, of a rule, of an external system's
 * classification), its class name when it has none. Never its message.
 */
export function errorCodeOf(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
    if (typeof code === 'string' && code !== '') return code;
    if (typeof responseCode === 'string' && responseCode !== '') return responseCode;
    if (error instanceof Error) return error.name;
  }
  return 'Error';
}

/** The ids of the active span, for log lines; undefined outside a recorded span. */
export function activeSpanIds(): { traceId: string; spanId: string } | undefined {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return undefined;
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}

/**
 * Takes the SDK's tracer provider, context manager and propagator off the API (after its shutdown),
 * back to the no-op ones, so that a later SDK may register its own.
 */
export function unregisterTracing(): void {
  parentDecides = false;
  trace.disable();
  context.disable();
  propagation.disable();
}
