// One pipeline phase of the benchmark: boot the system, then warm-up (not reported), light load
// (one Task every --light-interval ms, open loop), the projection probe (light load again with the
// query API polled), saturation (--tasks Tasks, --concurrency creates in flight) with the samplers,
// the probe once more at half the rate saturation reached; then the read model is checked against
// the log and everything is stopped and removed.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lightFigures } from '../load/figures.js';
import { closedLoop, openLoop } from '../load/loops.js';
import { cpuSnapshot, cpuUsage } from '../proc/cpu.js';
import { MemoryWatch } from '../proc/memory-watch.js';
import type { Progress } from '../run/progress.js';
import type { RunGuard } from '../run/run-guard.js';
import { asRecorded } from './checkout.js';
import { PipelineHarness } from './harness.js';
import { ProjectionClient } from './projection-client.js';
import { staged, submitStandard, type PhaseRun } from './phase-run.js';
import type { PipelineLight, PipelinePhaseOptions, PipelineResult } from './pipeline-result.js';
import { probeProjection, type ProbeFigures } from './projection-probe.js';
import { saturate } from './saturation-phase.js';
import { stageSummaries } from './stages.js';
import { OtlpSink, Scraper } from './telemetry.js';

const WARMUP_CONCURRENCY = 16;

export async function runPipelinePhase(guard: RunGuard, options: PipelinePhaseOptions, progress: Progress): Promise<PipelineResult> {
  // The baseline's profiles, and those of the pipeline with its telemetry on, beside the pipeline's,
  // not over them (the files are named by service).
  const profiles = join(fileURLToPath(new URL('../../profiles/', import.meta.url)), String(process.pid));
  const profileDir = options.cpuProf.length === 0 ? undefined : options.peer === 'baseline' ? join(profiles, 'baseline') : options.telemetry ? join(profiles, 'telemetry') : profiles;
  const sink = options.telemetry ? await OtlpSink.start() : undefined;
  const releaseSink = sink && guard.hold('OTLP receiver', () => sink.close());
  try {
    const traces = options.telemetry?.traces && sink ? { env: sink.env(options.telemetry) } : {};
    const telemetry = options.telemetry ? { metrics: true, ...traces } : {};
    const harness = await PipelineHarness.start(guard, { root: options.checkout.root, transport: options.transport, replicas: options.replicas, cpuProf: options.cpuProf, profileDir, ...telemetry }, progress);
    const urls = harness.system.services.flatMap((s) => (s.metricsUrl ? [s.metricsUrl] : []));
    const scraper = options.telemetry && new Scraper(urls, options.telemetry.scrapeIntervalMs);
    scraper?.start();
    let result: PipelineResult;
    let scrapes: Awaited<ReturnType<Scraper['stop']>> | undefined;
    try {
      result = await phases(harness, guard, options, progress, profileDir);
      scrapes = await scraper?.stop();
    } finally {
      await scraper?.stop();
      await harness.stop();
    }
    // Counted once the services stopped: each exports the spans it still held when it stops.
    if (!scrapes || !sink) return result;
    const { scrapeIntervalMs, traces: traced, traceSampling, tracesPerSecond } = options.telemetry!;
    const sampling = traced ? { traceSampling, ...(tracesPerSecond === undefined ? {} : { tracesPerSecond }) } : { traceSampling: 0 };
    return { ...result, telemetry: { scrapeIntervalMs, ...sampling, ...scrapes, otlpRequests: sink.requests, otlpBytes: sink.bytes } };
  } finally {
    await releaseSink?.();
  }
}

async function phases(harness: PipelineHarness, guard: RunGuard, options: PipelinePhaseOptions, progress: Progress, profileDir?: string): Promise<PipelineResult> {
  const { system, ledger } = harness;
  const memory = new MemoryWatch(new Map(system.services.map((s) => [s.label, s.process.pid])));
  if (options.idleSettleMs > 0) {
    progress(`${options.peer}: idle for ${options.idleSettleMs / 1000} s (idle RSS)…`);
    await memory.settle(options.idleSettleMs);
  }
  memory.start();
  const run: PhaseRun = { harness, options, progress, groups: system.cpuGroups(), remaining: () => Math.max(1_000, options.deadline - Date.now()), stopping: () => guard.stopping };
  await warmUp(run);
  const light = options.light && options.lightTasks > 0 ? await lightLoad(run) : undefined;
  const probe = light ? await lightProbe(run) : undefined;
  progress(`${options.peer}: saturation, ${options.tasks} Tasks, ${options.concurrency} creates in flight over ${options.transport === 'nats' ? 'NATS request/reply' : 'HTTP'}…`);
  const saturation = await saturate(run);
  const halfRate = options.light && options.halfRateTasks > 0 && saturation.tasksPerS > 0 ? await halfTheRate(run, saturation.tasksPerS) : undefined;
  const readModel = await checkReadModel(harness);
  const jobRepair = await jobRepairOf(harness);
  const refused = ledger.book.refusals();
  const problems: string[] = [];
  if (refused.length > 0) problems.push(`${refused.length} creates refused (first: ${refused[0]!.message})`);
  if (ledger.fold.counters.failedTasks > 0) problems.push(`${ledger.fold.counters.failedTasks} Tasks failed`);
  if (!readModel.ok) problems.push(`the read model lists ${readModel.successInReadModel} Tasks as success, the log ${readModel.successOnLog} (of ${ledger.book.all().length})`);
  return {
    peer: options.peer,
    checkout: asRecorded(options.checkout),
    transport: options.transport,
    replicas: options.replicas,
    natsServer: system.nc.info?.version,
    node: process.version,
    light,
    projectionProbe: probe,
    saturation,
    halfRate,
    memory: memory.figures(),
    readModel,
    ...(jobRepair ? { jobRepair } : {}),
    counters: { ...ledger.fold.counters, refused: refused.length },
    serviceLogLines: Object.fromEntries(system.services.map((s) => [s.label, s.process.output().split('\n').filter(Boolean).length])),
    profiles: profileDir,
    ok: problems.length === 0,
    problems,
  };
}

async function warmUp({ harness, options, progress, remaining, stopping }: PhaseRun): Promise<void> {
  if (options.warmup === 0) return;
  progress(`${options.peer}: warm-up, ${options.warmup} Tasks…`);
  await closedLoop(options.warmup, WARMUP_CONCURRENCY, submitStandard(harness, 'warmup'), stopping);
  await harness.ledger.book.untilFinished('warmup', options.warmup, remaining());
  await harness.projectionCaughtUp();
}

async function lightLoad({ harness, options, progress, groups, remaining, stopping }: PhaseRun): Promise<PipelineLight> {
  progress(`${options.peer}: light load, ${options.lightTasks} Tasks, one every ${options.lightIntervalMs} ms…`);
  const before = cpuSnapshot(groups);
  await openLoop(options.lightTasks, options.lightIntervalMs, submitStandard(harness, 'light'), stopping);
  await harness.ledger.book.untilFinished('light', options.lightTasks, remaining());
  const cpu = cpuUsage(before, cpuSnapshot(groups));
  await harness.projectionCaughtUp();
  const items = harness.ledger.book.of('light');
  return { ...lightFigures(items, cpu), stagesMs: stageSummaries(staged(harness, items)) };
}

async function lightProbe({ harness, options, progress, remaining, stopping }: PhaseRun): Promise<ProbeFigures> {
  progress(`${options.peer}: projection lag probe, ${options.lightTasks} Tasks, polling the query API every 5 ms…`);
  return probeProjection(harness, 'probe', { tasks: options.lightTasks, intervalMs: options.lightIntervalMs, timeoutMs: remaining(), stopping });
}

/** The probe again at half the rate saturation reached: the projection's lag under real but sustainable load. */
async function halfTheRate({ harness, options, progress, remaining, stopping }: PhaseRun, tasksPerS: number): Promise<ProbeFigures> {
  const intervalMs = 2_000 / tasksPerS;
  progress(`${options.peer}: half the saturation rate, ${options.halfRateTasks} Tasks, one every ${intervalMs.toFixed(1)} ms, polling the query API…`);
  await harness.projectionCaughtUp();
  return probeProjection(harness, 'half-rate', { tasks: options.halfRateTasks, intervalMs, timeoutMs: remaining(), stopping });
}

/** The job repair's counters of every projection replica, summed (one of them led). */
async function jobRepairOf(harness: PipelineHarness): Promise<PipelineResult['jobRepair']> {
  const statuses = await Promise.all(harness.system.of('projection').map((s) => new ProjectionClient(s.process.url, harness.system.token).status()));
  const counters = statuses.flatMap((s) => (s.jobRepair ? [s.jobRepair] : []));
  if (counters.length === 0) return undefined;
  return { repaired: counters.reduce((n, c) => n + c.repaired, 0), confirmed: counters.reduce((n, c) => n + c.confirmed, 0) };
}

/** The read model agrees with the log: every Task the log saw succeed is listed as success. */
async function checkReadModel(harness: PipelineHarness): Promise<PipelineResult['readModel']> {
  const { book } = harness.ledger;
  const phases = [...new Set(book.all().map((t) => t.phase))];
  let successInReadModel = 0;
  for (const phase of phases) successInReadModel += await harness.projection.successCount(harness.ledger.createdBy(phase));
  const successOnLog = book.all().filter((t) => t.ok === true).length;
  return { successInReadModel, successOnLog, ok: successInReadModel === successOnLog && successOnLog === book.all().length };
}
