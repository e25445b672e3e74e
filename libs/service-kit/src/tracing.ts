// The process's OpenTelemetry SDK (README, "Operating it"): traces exported over OTLP/HTTP when an
// endpoint is configured, by the standard OTEL_* variables; nothing at all otherwise. Without an
// endpoint no SDK is started: the API's no-op tracer and propagator stay in place, so a span costs a
// function call, and no traceparent is written or read anywhere.
//
// Traces only: the metrics are Prometheus' (metrics-server.ts), and the logs are the JSON lines of
// ServiceLogger, which carry the ids of the active span. No auto-instrumentation is loaded: the
// spans are made where vle-tasks does its work (libs/tracing), which keeps them few and meaningful,
// and keeps libraries from being patched at import.
//
// Once per process: under SERVICE_ROLE=all its services share one SDK, as they share the registry
// of metrics. The first service to boot starts it; it is shut down (its spans flushed) when the last
// one stops, or by shutdownAll when the process exits.

import { trace, TraceFlags, type Attributes, type Context, type Link, type SpanKind, type TextMapSetter } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace-base';
import { followParentSampling, unregisterTracing } from '@vle/tracing';
import { z } from 'zod';
import { ConfigError } from './config.js';

export const OTLP_PROTOCOLS = ['http/protobuf', 'http/json'] as const;
export type OtlpProtocol = (typeof OTLP_PROTOCOLS)[number];

export const TRACE_SAMPLERS = [
  'always_on',
  'always_off',
  'traceidratio',
  'ratelimiting',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'parentbased_ratelimiting',
] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

/** What OTEL_TRACES_SAMPLER_ARG means to a sampler: the ratio of the *traceidratio ones, the traces a second of the *ratelimiting ones. */
const samplerArgument = (sampler: TraceSampler): 'ratio' | 'rate' | undefined => (sampler.endsWith('traceidratio') ? 'ratio' : sampler.endsWith('ratelimiting') ? 'rate' : undefined);

/** New traces a second a *ratelimiting sampler starts without OTEL_TRACES_SAMPLER_ARG. */
export const DEFAULT_TRACES_PER_SECOND = 10;

const httpUrl = (raw: string): boolean => {
  try {
    const url = new URL(raw);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
};

const optionalText = z
  .string()
  .optional()
  .transform((raw) => (raw?.trim() ? raw.trim() : undefined));
const optionalUrl = optionalText.refine((raw) => raw === undefined || httpUrl(raw), 'must be an http:// or https:// URL');
const protocol = optionalText.refine((raw): raw is OtlpProtocol | undefined => raw === undefined || (OTLP_PROTOCOLS as readonly string[]).includes(raw), {
  message: `must be ${OTLP_PROTOCOLS.join(' or ')} (gRPC is not supported: point it at the collector's OTLP/HTTP port, 4318)`,
});

/**
 * The standard variables of the OpenTelemetry SDK that vle-tasks reads (the specification's names
 * and defaults). The exporter reads its own further variables itself: OTEL_EXPORTER_OTLP_HEADERS
 * (a collector's token: never logged), _TIMEOUT, _COMPRESSION and the _CERTIFICATE files; the
 * SDK reads OTEL_RESOURCE_ATTRIBUTES and OTEL_BSP_* (the batch span processor).
 */
export const tracingVariables = {
  /** true: no SDK whatever else is set. */
  OTEL_SDK_DISABLED: optionalText.refine((raw) => raw === undefined || raw === 'true' || raw === 'false', 'must be true or false').transform((raw) => raw === 'true'),
  /** otlp (default) or none. */
  OTEL_TRACES_EXPORTER: optionalText
    .refine((raw) => raw === undefined || raw === 'otlp' || raw === 'none', 'must be otlp or none')
    .transform((raw) => (raw ?? 'otlp') as 'otlp' | 'none'),
  /** The collector's base URL; traces go to <it>/v1/traces. Unset (and no _TRACES_ENDPOINT): no tracing. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optionalUrl,
  /** The full URL traces are posted to; wins over OTEL_EXPORTER_OTLP_ENDPOINT. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: optionalUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
  OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol,
  /** Default: the service's name (task-api, ...; `all` under SERVICE_ROLE=all). */
  OTEL_SERVICE_NAME: optionalText,
  /**
   * The specification's samplers, and *ratelimiting (Jaeger's name): at most OTEL_TRACES_SAMPLER_ARG
   * new traces a second in this process, every command while there are fewer.
   */
  OTEL_TRACES_SAMPLER: optionalText
    .refine((raw) => raw === undefined || (TRACE_SAMPLERS as readonly string[]).includes(raw), `must be one of ${TRACE_SAMPLERS.join(', ')}`)
    .transform((raw) => (raw ?? 'parentbased_always_on') as TraceSampler),
  /**
   * The ratio of the *traceidratio samplers, from 0 to 1 (default 1); the most new traces a second of
   * the *ratelimiting ones (default DEFAULT_TRACES_PER_SECOND). tracingSetupOf checks it against the sampler.
   */
  OTEL_TRACES_SAMPLER_ARG: optionalText
    .refine((raw) => raw === undefined || (raw !== '' && Number.isFinite(Number(raw)) && Number(raw) >= 0), 'must be a number, 0 or more')
    .transform((raw) => (raw === undefined ? undefined : Number(raw))),
};

export type TracingConfig = z.output<z.ZodObject<typeof tracingVariables>>;

/** What the SDK is started with; undefined: tracing is off. */
export interface TracingSetup {
  readonly serviceName: string;
  readonly url: string;
  readonly protocol: OtlpProtocol;
  readonly sampler: TraceSampler;
  /** The sampler's argument: the ratio of a *traceidratio sampler, the traces a second of a *ratelimiting one (else unused). */
  readonly samplerArg: number;
}

/**
 * The setup a config gives the service `service`, or undefined when it does not trace (no endpoint,
 * disabled, exporter none). Throws a ConfigError for a ratio over 1.
 */
export function tracingSetupOf(config: TracingConfig, service: string): TracingSetup | undefined {
  if (config.OTEL_SDK_DISABLED || config.OTEL_TRACES_EXPORTER === 'none') return undefined;
  const url = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (config.OTEL_EXPORTER_OTLP_ENDPOINT && `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`);
  if (!url) return undefined;
  const sampler = config.OTEL_TRACES_SAMPLER;
  const argument = samplerArgument(sampler);
  const arg = config.OTEL_TRACES_SAMPLER_ARG;
  if (argument === 'ratio' && arg !== undefined && arg > 1) {
    throw new ConfigError([{ variable: 'OTEL_TRACES_SAMPLER_ARG', message: `must be a number from 0 to 1 (the ratio of ${sampler})` }]);
  }
  return {
    serviceName: config.OTEL_SERVICE_NAME ?? service,
    url,
    protocol: config.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? config.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/protobuf',
    sampler,
    samplerArg: arg ?? (argument === 'rate' ? DEFAULT_TRACES_PER_SECOND : 1),
  };
}

const sampled = (flags: number): boolean => (flags & TraceFlags.SAMPLED) !== 0;

/**
 * The root sampler of the parentbased_* samplers: a trace started from a sampled span (a child
 * Task from the job that created it, the projection's apply of traced commits; linked, not
 * parented) is sampled like it, so that a sampled lab event's child Tasks are all traced; the
 * other roots as `root` decides.
 */
export class FollowSampledLinks implements Sampler {
  constructor(private readonly root: Sampler) {}

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, links: Link[]): SamplingResult {
    return links.some((link) => sampled(link.context.traceFlags)) ? { decision: SamplingDecision.RECORD_AND_SAMPLED } : this.root.shouldSample(context, traceId, name, kind, attributes, links);
  }

  toString(): string {
    return `FollowSampledLinks{${this.root.toString()}}`;
  }
}

/**
 * Samples at most `perSecond` traces a second, every one while there are fewer (Jaeger's
 * ratelimiting sampler): all of the commands at the load a lab platform sees, a bounded cost when
 * it is saturated (README, "What they cost"). A token bucket holding up to max(perSecond, 1): a
 * burst after a quiet second is sampled up to that many, then one per 1/perSecond seconds.
 */
export class RateLimitingSampler implements Sampler {
  private readonly capacity: number;
  private balance: number;
  private last: number;

  constructor(
    private readonly perSecond: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.capacity = Math.max(perSecond, 1);
    this.balance = perSecond > 0 ? this.capacity : 0;
    this.last = now();
  }

  shouldSample(): SamplingResult {
    const now = this.now();
    this.balance = Math.min(this.capacity, this.balance + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.balance < 1) return { decision: SamplingDecision.NOT_RECORD };
    this.balance -= 1;
    return { decision: SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return `RateLimitingSampler{${this.perSecond}}`;
  }
}

/** The sampler OTEL_TRACES_SAMPLER names, with its argument (the ratio, or the traces a second). */
export function samplerOf(name: TraceSampler, arg: number): Sampler {
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(arg);
    case 'ratelimiting':
      return new RateLimitingSampler(arg);
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new FollowSampledLinks(new AlwaysOnSampler()) });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new FollowSampledLinks(new AlwaysOffSampler()) });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new FollowSampledLinks(new TraceIdRatioBasedSampler(arg)) });
    case 'parentbased_ratelimiting':
      return new ParentBasedSampler({ root: new FollowSampledLinks(new RateLimitingSampler(arg)) });
  }
}

/**
 * W3C trace context (traceparent, tracestate), written for sampled spans only. An unsampled
 * command's jobs, commits and calls carry no context: each hop then skips the header, its parsing
 * and its spans (libs/tracing: a span without a parent is made only where work enters), which is
 * what makes sampling cheap. A caller's unsampled traceparent is still honoured where it arrives.
 */
export class SampledTraceContextPropagator extends W3CTraceContextPropagator {
  override inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const spanContext = trace.getSpanContext(context);
    if (spanContext && sampled(spanContext.traceFlags)) super.inject(context, carrier, setter);
  }
}

interface Running {
  readonly sdk: NodeSDK;
  readonly setup: TracingSetup;
  users: number;
}

let running: Running | undefined;

/**
 * Starts the process's SDK if `setup` says to trace and none runs yet (the first service's setup
 * wins), and counts the service as a user; returns what the process traces with (undefined: off).
 */
export function acquireTracing(setup: TracingSetup | undefined): TracingSetup | undefined {
  if (running) {
    running.users++;
    return running.setup;
  }
  if (!setup) return undefined;
  const exporter = setup.protocol === 'http/json' ? new OtlpJsonExporter({ url: setup.url }) : new OtlpProtobufExporter({ url: setup.url });
  const sdk = new NodeSDK({
    serviceName: setup.serviceName,
    traceExporter: exporter,
    sampler: samplerOf(setup.sampler, setup.samplerArg),
    textMapPropagator: new SampledTraceContextPropagator(),
    instrumentations: [],
    // Traces only (above): without these, NodeSDK would also export metrics and logs over OTLP.
    metricReaders: [],
    logRecordProcessors: [],
  });
  sdk.start();
  followParentSampling(setup.sampler.startsWith('parentbased_'));
  running = { sdk, setup, users: 1 };
  return setup;
}

/** Gives the SDK back; the last user shuts it down, exporting the spans still buffered. */
export async function releaseTracing(): Promise<void> {
  if (!running || --running.users > 0) return;
  await shutdownTracing();
}

/**
 * How long a stop waits for the last spans to be exported: a collector that is down (the exporter
 * retries with backoff for up to its 10 s timeout) must not hold a service's shutdown.
 */
export const TRACING_FLUSH_TIMEOUT_MS = 3_000;

/** Shuts the SDK down whoever still uses it (the process exits), exporting the spans still buffered. Never throws. */
export async function shutdownTracing(): Promise<void> {
  const stopping = running;
  running = undefined;
  if (!stopping) return;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, TRACING_FLUSH_TIMEOUT_MS)));
  await Promise.race([stopping.sdk.shutdown().catch(() => undefined), timeout]);
  clearTimeout(timer);
  unregisterTracing();
}

/** Whether this process runs an SDK (tests). */
export function tracingStarted(): boolean {
  return running !== undefined;
}
