// `telemetry`: the pipeline with its metrics and traces off against on (issue 13, "Cost"), in
// interleaved rounds, saturation only. On: every service serves GET /metrics and is scraped every
// --scrape-interval, and exports its traces over OTLP to a receiver of the bench's (pipeline/telemetry.ts).

import type { TelemetryOptions } from '../cli/command-line.js';
import { thisCheckout } from '../pipeline/checkout.js';
import type { PipelinePhaseOptions } from '../pipeline/pipeline-result.js';
import { num } from '../report/format.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import type { RunGuard } from '../run/run-guard.js';
import { pairedRounds } from './paired-rounds.js';

function samplingText(o: TelemetryOptions): string {
  if (o.tracesPerSecond !== undefined) return ` (at most ${o.tracesPerSecond} traces a second)`;
  return o.traceSampling < 1 ? ` (${o.traceSampling} sampled)` : '';
}

export async function telemetry(guard: RunGuard, o: TelemetryOptions, out: Output, progress: Progress): Promise<number> {
  const deadline = Date.now() + o.timeout * 1000;
  const phase = (on: boolean): PipelinePhaseOptions => ({
    peer: 'pipeline', checkout: thisCheckout(),
    tasks: o.tasks, concurrency: o.concurrency, lightTasks: 0, lightIntervalMs: 20, warmup: o.warmup, idleSettleMs: 0, halfRateTasks: 0,
    transport: o.transport, replicas: 1, light: false, census: false, cpuProf: o.cpuProf, deadline,
    ...(on ? { telemetry: { scrapeIntervalMs: o.scrapeInterval * 1000, traces: o.traces, traceSampling: o.traceSampling, ...(o.tracesPerSecond === undefined ? {} : { tracesPerSecond: o.tracesPerSecond }) } } : {}),
  });
  return pairedRounds(guard, {
    bench: 'telemetry',
    rounds: o.rounds,
    reference: { key: 'off', label: 'telemetry off', phase: phase(false) },
    candidate: { key: 'on', label: o.traces ? `metrics and traces on${samplingText(o)}` : 'metrics on', phase: phase(true) },
    target: { text: 'the throughput with traces and metrics on is within 5% of them off', minRatio: 0.95 },
    details: (_, result) => {
      const t = result.telemetry;
      if (!t) return [];
      return [`  on: ${t.scrapes} scrapes every ${num(t.scrapeIntervalMs / 1000)} s (${t.scrapeFailures} failed, ${num(t.scrapeBytes)} bytes each); ${t.otlpRequests} OTLP exports received, ${num(t.otlpBytes)} bytes`];
    },
    options: o,
  }, out, progress);
}
