import { defaultTextMapSetter, propagation, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace-base';
import { startSpan } from '@vle/tracing';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, loadConfig } from './config.js';
import { acquireTracing, DEFAULT_TRACES_PER_SECOND, RateLimitingSampler, releaseTracing, SampledTraceContextPropagator, samplerOf, tracingSetupOf, tracingStarted, tracingVariables } from './tracing.js';

const schema = z.object(tracingVariables);
const setupOf = (env: Record<string, string>, service = 'task-api') => tracingSetupOf(loadConfig(schema, env), service);

function problemOf(env: Record<string, string>): string {
  try {
    loadConfig(schema, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error('the config was accepted');
}

describe('the tracing setup of the OTEL_* variables', () => {
  it('is off without an endpoint, when disabled, and with the exporter none', () => {
    expect(setupOf({})).toBeUndefined();
    expect(setupOf({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBeUndefined();
    expect(setupOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(setupOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
  });

  it('posts to <endpoint>/v1/traces in http/protobuf as the service, by default', () => {
    expect(setupOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' })).toEqual({ serviceName: 'task-api', url: 'http://collector:4318/v1/traces', protocol: 'http/protobuf', sampler: 'parentbased_always_on', samplerArg: 1 });
    expect(setupOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otlp.example/base' })?.url).toBe('https://otlp.example/base/v1/traces');
  });

  it('takes the traces endpoint as it is, and the traces protocol, over the general ones', () => {
    const setup = setupOf({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://tempo:4318/otlp/traces',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'vle-task-api',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.25',
    });
    expect(setup).toEqual({ serviceName: 'vle-task-api', url: 'http://tempo:4318/otlp/traces', protocol: 'http/json', sampler: 'parentbased_traceidratio', samplerArg: 0.25 });
  });

  it('names a bad variable and what it must be', () => {
    expect(problemOf({ OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toContain('OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf or http/json (gRPC is not supported');
    expect(problemOf({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' })).toContain('OTEL_EXPORTER_OTLP_ENDPOINT: must be an http:// or https:// URL');
    expect(problemOf({ OTEL_TRACES_SAMPLER: 'sometimes' })).toContain('OTEL_TRACES_SAMPLER: must be one of always_on, always_off, traceidratio');
    expect(problemOf({ OTEL_TRACES_SAMPLER_ARG: '-1' })).toContain('OTEL_TRACES_SAMPLER_ARG: must be a number, 0 or more');
    expect(problemOf({ OTEL_TRACES_SAMPLER_ARG: 'ten' })).toContain('OTEL_TRACES_SAMPLER_ARG: must be a number, 0 or more');
    expect(problemOf({ OTEL_SDK_DISABLED: 'yes' })).toContain('OTEL_SDK_DISABLED: must be true or false');
    expect(problemOf({ OTEL_TRACES_EXPORTER: 'zipkin' })).toContain('OTEL_TRACES_EXPORTER: must be otlp or none');
  });

  it('reads the argument as the sampler takes it: a ratio up to 1, or traces a second', () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
    expect(() => setupOf({ ...endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '2' })).toThrow(
      'OTEL_TRACES_SAMPLER_ARG: must be a number from 0 to 1 (the ratio of parentbased_traceidratio)',
    );
    expect(() => setupOf({ ...endpoint, OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' })).toThrow(ConfigError);
    expect(setupOf({ ...endpoint, OTEL_TRACES_SAMPLER: 'parentbased_ratelimiting', OTEL_TRACES_SAMPLER_ARG: '25' })).toMatchObject({ sampler: 'parentbased_ratelimiting', samplerArg: 25 });
    expect(setupOf({ ...endpoint, OTEL_TRACES_SAMPLER: 'ratelimiting' })).toMatchObject({ samplerArg: DEFAULT_TRACES_PER_SECOND });
    expect(setupOf({ ...endpoint, OTEL_TRACES_SAMPLER: 'parentbased_traceidratio' })).toMatchObject({ samplerArg: 1 });
  });

  it('makes the sampler the variables name', () => {
    expect(samplerOf('parentbased_always_on', 1).toString()).toMatch(/^ParentBased\{root=FollowSampledLinks\{AlwaysOnSampler\}/);
    expect(samplerOf('traceidratio', 0.1).toString()).toBe('TraceIdRatioBased{0.1}');
    expect(samplerOf('always_off', 1).toString()).toBe('AlwaysOffSampler');
    expect(samplerOf('parentbased_ratelimiting', 5).toString()).toMatch(/^ParentBased\{root=FollowSampledLinks\{RateLimitingSampler\{5\}\}/);
  });
});

describe('sampling', () => {
  const TRACE = '0af7651916cd43dd8448eb211c80319c';
  const spanContext = (traceFlags: number) => ({ traceId: TRACE, spanId: 'b7ad6b7169203331', traceFlags, isRemote: true });
  const decide = (sampler: ReturnType<typeof samplerOf>, links: ReturnType<typeof spanContext>[]) =>
    sampler.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffffffffffffffff', 'send tasks.req.create', SpanKind.CLIENT, {}, links.map((context) => ({ context }))).decision;

  it('samples a root linked to a sampled span like it (a child Task of a traced lab event), the others by the ratio', () => {
    const none = samplerOf('parentbased_traceidratio', 0);
    expect(decide(none, [spanContext(TraceFlags.SAMPLED)])).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(none, [spanContext(TraceFlags.NONE), spanContext(TraceFlags.SAMPLED)])).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(none, [spanContext(TraceFlags.NONE)])).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(none, [])).toBe(SamplingDecision.NOT_RECORD);
    expect(decide(samplerOf('parentbased_traceidratio', 1), [])).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    // The samplers that do not follow a parent do not follow links either.
    expect(decide(samplerOf('always_off', 1), [spanContext(TraceFlags.SAMPLED)])).toBe(SamplingDecision.NOT_RECORD);
  });

  it('samples at most the rate a second, every root while there are fewer, a burst up to the rate', () => {
    let now = 0;
    const sampler = new RateLimitingSampler(5, () => now);
    const sampledOf = (roots: number) => Array.from({ length: roots }, () => sampler.shouldSample().decision).filter((d) => d === SamplingDecision.RECORD_AND_SAMPLED).length;
    // A burst after a quiet time: the first 5, then none until time passed.
    expect(sampledOf(20)).toBe(5);
    now += 100;
    expect(sampledOf(20)).toBe(0);
    now += 100;
    expect(sampledOf(20)).toBe(1);
    // A saturated minute: 5 a second, whatever comes.
    let sampled = 0;
    for (let ms = 0; ms < 60_000; ms += 2) {
      now += 2;
      sampled += sampledOf(1);
    }
    expect(sampled).toBeGreaterThanOrEqual(299);
    expect(sampled).toBeLessThanOrEqual(301);
    // Fewer roots than the rate (one a second): every one.
    now += 10_000;
    for (let s = 0; s < 10; s++) {
      now += 1_000;
      expect(sampledOf(1)).toBe(1);
    }
    // Under a parent-based sampler, the rate limits the roots only: a sampled parent's children all are.
    const parented = samplerOf('parentbased_ratelimiting', 0);
    expect(decide(parented, [])).toBe(SamplingDecision.NOT_RECORD);
    const parent = trace.setSpanContext(ROOT_CONTEXT, spanContext(TraceFlags.SAMPLED));
    expect(parented.shouldSample(parent, TRACE, 'job', SpanKind.CONSUMER, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('samples no root at a rate of 0, one every two seconds at 0.5', () => {
    let now = 0;
    const never = new RateLimitingSampler(0, () => now);
    const half = new RateLimitingSampler(0.5, () => now);
    const sampled = { never: 0, half: 0 };
    for (let ms = 0; ms <= 10_500; ms += 10) {
      now = ms;
      if (never.shouldSample().decision === SamplingDecision.RECORD_AND_SAMPLED) sampled.never++;
      if (half.shouldSample().decision === SamplingDecision.RECORD_AND_SAMPLED) sampled.half++;
    }
    // half: one at once (the bucket starts full), then one each 2 s.
    expect(sampled).toEqual({ never: 0, half: 6 });
  });

  it('propagates the context of a sampled span only: an unsampled trace leaves no header anywhere', () => {
    const propagator = new SampledTraceContextPropagator();
    const inject = (traceFlags: number) => {
      const carrier: Record<string, string> = {};
      propagator.inject(trace.setSpanContext(ROOT_CONTEXT, spanContext(traceFlags)), carrier, defaultTextMapSetter);
      return carrier;
    };
    expect(inject(TraceFlags.SAMPLED)).toEqual({ traceparent: `00-${TRACE}-b7ad6b7169203331-01` });
    expect(inject(TraceFlags.NONE)).toEqual({});
    // A caller's unsampled traceparent is still read where it arrives.
    const read = propagator.extract(ROOT_CONTEXT, { traceparent: `00-${TRACE}-b7ad6b7169203331-00` }, { get: (c, k) => c[k], keys: (c) => Object.keys(c) });
    expect(trace.getSpanContext(read)).toMatchObject({ traceId: TRACE, traceFlags: TraceFlags.NONE });
  });
});

describe('a process without an endpoint', () => {
  it('starts no SDK: no tracer provider, no propagator, spans that record nothing', async () => {
    expect(acquireTracing(setupOf({}))).toBeUndefined();
    expect(tracingStarted()).toBe(false);
    const span = startSpan({ name: 'command create' });
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe('00000000000000000000000000000000');
    expect(propagation.fields()).toEqual([]);
    // The API's proxy provider has no delegate registered: its tracers are the no-op ones.
    expect(trace.getTracerProvider().getTracer('x').constructor.name).toBe('ProxyTracer');
    expect(trace.getTracer('x').startSpan('y').constructor.name).toBe('NonRecordingSpan');
    await releaseTracing();
    expect(tracingStarted()).toBe(false);
  });
});
