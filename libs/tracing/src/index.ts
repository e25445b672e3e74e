export * from './attributes.js';
export * from './spans.js';
export * from './trace-context.js';
export * from './http-spans.js';
export { context, SpanKind, type Context, type Link, type Span } from '@opentelemetry/api';
