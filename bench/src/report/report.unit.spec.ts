import { describe, expect, it } from 'vitest';
import type { BullmqResult } from '../bullmq/bullmq-phase.js';
import type { PipelineResult } from '../pipeline/pipeline-result.js';
import { STAGES } from '../pipeline/stages.js';
import type { Summary } from '../stats/summary.js';
import { formatRound, formatSummary } from './compare-report.js';
import { roundOrder } from '../load/round-order.js';
import { beforeAfterRows, formatBeforeAfter } from './before-after.js';
import { compareRound, summarizeRounds, type CompareRound } from './compare-summary.js';
import { num, p50p99, spreadText } from './format.js';
import { formatPeerRun } from './peer-report.js';
import { formatSizeTable, rateRows, withinFactor, type SizeRow } from './size-table.js';
import { table } from './table.js';
import { compareTargets } from './targets.js';

const dist = (p50: number, p99: number): Summary => ({ n: 100, p50, p99, max: p99, mean: p50 });
const cpu = { wallS: 10, seconds: {}, totalS: 1, machineBusy: 0.9, otherProcessesS: 0.1 };

function bullmq(tasksPerS: number, cpuMs: number): BullmqResult {
  return {
    peer: 'bullmq',
    queue: 'vle-bench-1-abcd',
    workerConcurrency: 64,
    redisServer: '7.0.15',
    completedJobs: 11_000,
    light: { tasks: 100, completed: 100, latencyMs: dist(3, 6), replyMs: dist(1, 2), cpu },
    saturation: {
      tasks: 2000, completed: 2000, concurrency: 64, wallS: 2000 / tasksPerS, tasksPerS, subtasksPerS: tasksPerS * 5, commandsPerS: tasksPerS,
      latencyMs: dist(50, 80), replyMs: dist(20, 40), cpu, cpuPerTask: { ms: { 'bullmq-worker': cpuMs / 2, 'redis-server': cpuMs / 2 }, totalMs: cpuMs },
    },
    memory: { 'bullmq-worker': { idleMiB: 70, peakMiB: 100, peakOver: 'phase' } },
    ok: true,
    problems: [],
  };
}

const stages = Object.fromEntries(STAGES.map((s, i) => [s, dist(i + 1, 10 * (i + 1))])) as PipelineResult['saturation']['stagesMs'];

const thisCheckout = { root: '.', label: 'd4804f5' };

function pipeline(tasksPerS: number, lightP50: number, idleMiB: number, ok = true, overrides: Partial<PipelineResult> = {}): PipelineResult {
  return {
    peer: 'pipeline',
    checkout: thisCheckout,
    transport: 'nats',
    replicas: 1,
    light: { tasks: 100, completed: 100, latencyMs: dist(lightP50, 2 * lightP50), replyMs: dist(2, 4), cpu, stagesMs: stages },
    projectionProbe: { tasks: 100, intervalMs: 20, shown: 100, polls: 400, lagMs: dist(25, 57), latencyMs: dist(14, 29) },
    halfRate: { tasks: 300, intervalMs: 13.3, shown: 300, polls: 900, lagMs: dist(40, 90), latencyMs: dist(20, 40) },
    saturation: {
      tasks: 2000, completed: 2000, concurrency: 64, wallS: 2000 / tasksPerS, tasksPerS, subtasksPerS: tasksPerS * 5, commandsPerS: tasksPerS,
      latencyMs: dist(1000, 1300), replyMs: dist(195, 420), cpu, cpuPerTask: { ms: { 'task-api': 1.3, 'nats-server': 1.8 }, totalMs: 3.1 },
      commitsPerS: tasksPerS * 11, commitsPerTask: 11, bytesPerTask: 7216, stagesMs: stages,
      projection: { checkpointLagMs: dist(210, 360), seqGap: dist(400, 1200), caughtUpAfterLastSuccessMs: 95, samples: 150 },
      backlogPeak: { dispatcherPending: 1600, dispatcherAckPending: 330, jobsPending: 500, jobsAckPending: 256 },
    },
    memory: { 'task-api': { idleMiB, peakMiB: 210, peakOver: 'phase' }, projection: { idleMiB: 100, peakMiB: 180, peakOver: 'process' } },
    readModel: { successInReadModel: 2500, successOnLog: 2500, ok: true },
    counters: { commits: 27_500, events: 40_000, attemptFailures: 0, failedTasks: 0, refused: 0 },
    serviceLogLines: { 'task-api': 0 },
    ok,
    problems: ok ? [] : ['3 creates refused (first: BUSY: task-api is busy)'],
    ...overrides,
  };
}

function round(k: number, b: BullmqResult, p: PipelineResult): CompareRound {
  return compareRound(k, roundOrder(['bullmq', 'pipeline'], k), { bullmq: b, pipeline: p });
}

describe('table', () => {
  it('aligns names left and figures right, with - for a missing cell', () => {
    expect(table(['peer', 'Tasks/s'], [['bullmq', 1200], ['pipeline', undefined]])).toBe(['peer      Tasks/s', 'bullmq       1200', 'pipeline        -'].join('\n'));
  });
});

describe('format', () => {
  it('writes figures with digits by magnitude, distributions and spreads', () => {
    expect([num(1234.4), num(123.4), num(12.34), num(1.234), num(undefined)]).toEqual(['1234', '123', '12.3', '1.23', '-']);
    expect(p50p99(dist(3.81, 5.2))).toBe('3.81 / 5.20');
    expect(p50p99({ n: 0 })).toBe('-');
    expect(spreadText({ median: 150, min: 142, max: 161 })).toBe('150 (142–161)');
    expect(spreadText({ median: 7, min: 7, max: 7 })).toBe('7.00');
  });
});

describe('summarizeRounds', () => {
  const rounds = [round(1, bullmq(1200, 1.5), pipeline(150, 14, 130)), round(2, bullmq(1000, 1.7), pipeline(160, 12, 125)), round(3, bullmq(1250, 1.4), pipeline(140, 18, 128, false))];
  const summary = summarizeRounds(rounds);

  it('reduces every figure to its median with min–max over the rounds', () => {
    expect(summary.rounds).toBe(3);
    expect(summary.bullmq.tasksPerS).toEqual({ median: 1200, min: 1000, max: 1250 });
    expect(summary.pipeline.tasksPerS).toEqual({ median: 150, min: 140, max: 160 });
    expect(summary.pipeline.lightP50).toEqual({ median: 14, min: 12, max: 18 });
    expect(summary.bullmq.cpuMsPerTaskByProcess['redis-server']).toEqual({ median: 0.75, min: 0.7, max: 0.85 });
    expect(summary.pipeline.idleMiB['task-api']).toEqual({ median: 128, min: 125, max: 130 });
    expect(summary.pipeline.commitsPerTask).toEqual({ median: 11, min: 11, max: 11 });
    expect(summary.pipeline.halfRateLagP99).toEqual({ median: 90, min: 90, max: 90 });
  });

  it('takes the ratio per round, then its median and range', () => {
    expect(rounds.map((r) => r.ratio)).toEqual([0.125, 0.16, 0.112]);
    expect(summary.ratio).toEqual({ median: 0.13, min: 0.11, max: 0.16 });
  });

  it('is ok only if every round of both peers was', () => {
    expect(summary.ok).toBe(false);
    expect(summarizeRounds(rounds.slice(0, 2)).ok).toBe(true);
  });

  it('checks the targets on the medians', () => {
    const met = Object.fromEntries(compareTargets(summary).map((t) => [t.target, t.met]));
    expect(met).toMatchObject({
      'throughput ≥ 0.5× BullMQ FlowProducer Tasks/s (same run)': false,
      'light-load success p50 ≤ 10 ms': false,
      'projection lag p99 ≤ 100 ms at half the saturation rate': true,
      'CPU per Task ≤ 3 ms summed over every process': false,
      'idle RSS ≤ 120 MiB per service (the highest)': false,
      'RSS ≤ 256 MiB per service under load (the highest peak)': true,
    });
  });

  it('prints the summary table, the ratio, the pipeline figures and the targets', () => {
    const text = formatSummary(summary);
    expect(text).toContain('summary over 3 rounds: median (min–max)');
    expect(text).toMatch(/Tasks\/s\s+1200 \(1000–1250\)\s+150 \(140–160\)/);
    expect(text).toMatch(/CPU ms\/Task, redis-server\s+0\.75 \(0\.70–0\.85\)\s+-/);
    expect(text).toContain('ratio pipeline / BullMQ Tasks/s (per round): 0.13 (0.11–0.16)');
    expect(text).toMatch(/projection lag p99 ms, half rate\s+90\.0/);
    expect(text).toMatch(/light-load success p50 ≤ 10 ms\s+14\.0 \(12\.0–18\.0\)\s+no/);
    expect(text).toContain('PROBLEMS in some rounds');
  });

  it('prints a round in the order it ran, with each peer\'s details and problems', () => {
    const text = formatRound(rounds[2]!, 3);
    expect(text.split('\n')[0]).toBe('round 3 of 3 (bullmq first, then pipeline)');
    expect(text).toContain('ratio pipeline / BullMQ Tasks/s: 0.11');
    expect(text).toContain('pipeline: 11.0 commits and 7216 bytes per Task');
    expect(text).toContain('pipeline: RSS MiB idle → peak: task-api 128 → 210, projection 100 → 180 (lifetime peak)');
    expect(text).toContain('pipeline: PROBLEM: 3 creates refused');
    expect(formatRound(rounds[1]!, 3).split('\n')[0]).toBe('round 2 of 3 (pipeline first, then bullmq)');
  });
});

describe('compare with a baseline checkout', () => {
  const base = { root: '../wt-base', label: '779000a' };
  /** An older checkout's pipeline: twice the commits, no half-rate figures, no backlog samples, other processes. */
  function baseline(tasksPerS: number, ok = true): PipelineResult {
    const r = pipeline(tasksPerS, 30, 140, ok, { peer: 'baseline', checkout: base });
    return {
      ...r,
      halfRate: undefined,
      saturation: { ...r.saturation, commitsPerTask: 22, bytesPerTask: 14_432, backlogPeak: undefined, cpuPerTask: { ms: { 'task-api': 2.6, 'nats-server': 4.7, postgres: 2.9 }, totalMs: 10.2 } },
    };
  }
  const peers = ['bullmq', 'pipeline', 'baseline'] as const;
  const rounds = [
    compareRound(1, roundOrder(peers, 1), { bullmq: bullmq(1200, 1.5), pipeline: pipeline(150, 14, 130), baseline: baseline(100) }),
    compareRound(2, roundOrder(peers, 2), { bullmq: bullmq(1000, 1.7), pipeline: pipeline(160, 12, 125), baseline: baseline(80) }),
    compareRound(3, roundOrder(peers, 3), { bullmq: bullmq(1250, 1.4), pipeline: pipeline(140, 18, 128), baseline: baseline(100, false) }),
  ];
  const summary = summarizeRounds(rounds);

  it('takes both ratios per round, then their medians and ranges', () => {
    expect(rounds.map((r) => [r.ratio, r.baselineRatio])).toEqual([[0.125, 1.5], [0.16, 2], [0.112, 1.4]]);
    expect(summary.ratio).toEqual({ median: 0.13, min: 0.11, max: 0.16 });
    expect(summary.baselineRatio).toEqual({ median: 1.5, min: 1.4, max: 2 });
  });

  it('summarizes the baseline as a peer with all its figures, a missing one as undefined', () => {
    expect(summary.baseline?.tasksPerS).toEqual({ median: 100, min: 80, max: 100 });
    expect(summary.baseline?.commitsPerTask).toEqual({ median: 22, min: 22, max: 22 });
    expect(summary.baseline?.cpuMsPerTaskByProcess.postgres).toEqual({ median: 2.9, min: 2.9, max: 2.9 });
    expect(summary.baseline?.halfRateLagP99).toBeUndefined();
    expect(summary.baseline?.backlogPeak.dispatcherPending).toBeUndefined();
    expect(summary.checkouts).toEqual({ pipeline: thisCheckout, baseline: base });
  });

  it('is ok only if every round of the baseline was too', () => {
    expect(summary.ok).toBe(false);
    expect(summarizeRounds(rounds.slice(0, 2)).ok).toBe(true);
  });

  it('has no baseline figures without a baseline', () => {
    const alone = summarizeRounds([round(1, bullmq(1200, 1.5), pipeline(150, 14, 130))]);
    expect([alone.baseline, alone.baselineRatio, alone.beforeAfter]).toEqual([undefined, undefined, undefined]);
    expect(formatSummary(alone)).not.toContain('baseline');
    expect(formatSummary(alone)).not.toContain('before → after');
  });

  it('puts the medians before → after with their quotient, a figure one side lacks without one', () => {
    const rows = Object.fromEntries(beforeAfterRows(summary.baseline!, summary.pipeline).map((r) => [r.figure, [r.before, r.after, r.change]]));
    expect(rows).toEqual({
      'Tasks/s': [100, 150, 1.5],
      'light success p50 ms': [30, 14, 0.47],
      'light success p99 ms': [60, 28, 0.47],
      'saturation success p50 ms': [1000, 1000, 1],
      'CPU ms/Task, all processes': [10.2, 3.1, 0.3],
      '  CPU ms/Task, task-api': [2.6, 1.3, 0.5],
      '  CPU ms/Task, nats-server': [4.7, 1.8, 0.38],
      '  CPU ms/Task, postgres': [2.9, undefined, undefined],
      'commits per Task': [22, 11, 0.5],
      'bytes per Task': [14_432, 7216, 0.5],
      'projection lag p99 ms, half rate': [undefined, 90, undefined],
      'RSS MiB idle, task-api': [140, 128, 0.91],
      'RSS MiB peak, task-api': [210, 210, 1],
      'RSS MiB idle, projection': [100, 100, 1],
      'RSS MiB peak, projection': [180, 180, 1],
    });
    expect(summary.beforeAfter).toEqual(beforeAfterRows(summary.baseline!, summary.pipeline));
    const text = formatBeforeAfter(summary.beforeAfter!, '779000a', 'this checkout');
    expect(text.split('\n')[0]).toMatch(/^before → after \(medians\)\s+before: 779000a\s+after: this checkout\s+after ÷ before$/);
    expect(text).toMatch(/\n {2}CPU ms\/Task, postgres\s+2\.90\s+-\s+-\n/);
    expect(text).toMatch(/\nprojection lag p99 ms, half rate\s+-\s+90\.0\s+-\n/);
  });

  it('prints the baseline as a third column, its ratio, and the before → after table', () => {
    const text = formatSummary(summary);
    expect(text).toMatch(/figure\s+BullMQ FlowProducer\s+pipeline\s+baseline 779000a\n/);
    expect(text).toMatch(/\nTasks\/s\s+1200 \(1000–1250\)\s+150 \(140–160\)\s+100 \(80\.0–100\)\n/);
    expect(text).toMatch(/\n {2}CPU ms\/Task, redis-server\s+0\.75 \(0\.70–0\.85\)\s+-\s+-\n/);
    expect(text).toContain('ratio pipeline / BullMQ Tasks/s (per round): 0.13 (0.11–0.16)');
    expect(text).toContain('ratio pipeline / baseline 779000a Tasks/s (per round): 1.50 (1.40–2.00)');
    expect(text).toMatch(/pipeline only\s+pipeline\s+baseline 779000a\n/);
    expect(text).toMatch(/\ncommits per Task\s+11\.0\s+22\.0\n/);
    expect(text).toMatch(/\nbacklog peak: dispatcher pending\s+1600\s+-\n/);
    expect(text).toMatch(/before → after \(medians\)\s+before: 779000a\s+after: this checkout \(d4804f5\)\s+after ÷ before\n/);
    expect(text).toMatch(/\nTasks\/s\s+100\s+150\s+1\.50\n/);
  });

  it('prints a round in the order it ran, the baseline named by its label, with both ratios', () => {
    const text = formatRound(rounds[1]!, 3);
    expect(text.split('\n')[0]).toBe('round 2 of 3 (pipeline first, then baseline, then bullmq)');
    expect(text.split('\n').slice(2, 5).map((line) => line.split(/\s{2,}/)[0])).toEqual(['pipeline', 'baseline 779000a', 'bullmq']);
    expect(text).toContain('ratio pipeline / BullMQ Tasks/s: 0.16');
    expect(text).toContain('ratio pipeline / baseline 779000a Tasks/s: 2.00');
    expect(text).toContain('  pipeline: services of . (d4804f5)');
    expect(text).toContain('  baseline: services of ../wt-base (779000a)');
    expect(text).toContain('  baseline: 22.0 commits and 14432 bytes per Task');
    expect(text).toContain('  baseline: backlog peak: - (no sample of the consumers was answered)');
  });
});

describe('roundOrder', () => {
  it('alternates two peers, as compare always did', () => {
    expect([1, 2, 3].map((k) => roundOrder(['bullmq', 'pipeline'], k))).toEqual([['bullmq', 'pipeline'], ['pipeline', 'bullmq'], ['bullmq', 'pipeline']]);
  });

  it('rotates three peers so that each runs first, second and last once in three rounds', () => {
    const orders = [1, 2, 3].map((k) => roundOrder(['bullmq', 'pipeline', 'baseline'], k));
    expect(orders).toEqual([['bullmq', 'pipeline', 'baseline'], ['pipeline', 'baseline', 'bullmq'], ['baseline', 'bullmq', 'pipeline']]);
    expect(roundOrder(['bullmq', 'pipeline', 'baseline'], 4)).toEqual(orders[0]);
  });
});

describe('formatPeerRun', () => {
  it('prints the peer table and the CPU per process', () => {
    const text = formatPeerRun(bullmq(1200, 1.5));
    expect(text).toMatch(/bullmq\s+1200\s+6000\s+3\.00 \/ 6\.00\s+50\.0 \/ 80\.0\s+20\.0 \/ 40\.0\s+1\.50\s+yes/);
    expect(text).toContain('bullmq: CPU ms per Task (10.0 s of saturation; machine busy 90%, other processes 0.10 CPU-s): bullmq-worker 0.75, redis-server 0.75');
  });

  it("prints the projection's job repair, and the backlog without a dispatcher, where the checkout has them", () => {
    const saturation = { ...pipeline(400, 11, 120).saturation, backlogPeak: { jobsPending: 900, jobsAckPending: 256 } };
    const text = formatPeerRun(pipeline(400, 11, 120, true, { saturation, jobRepair: { repaired: 0, confirmed: 2 } }));
    expect(text).toContain('pipeline: job repair: 0 jobs found missing and published, 2 published again that JOBS had');
    expect(text).toContain('pipeline: backlog peak: jobs pending 900 (ack pending 256)');
    const before = formatPeerRun(pipeline(400, 11, 120));
    expect(before).not.toContain('job repair');
    expect(before).toContain('backlog peak: dispatcher pending 1600 (ack pending 330), jobs pending 500');
  });
});

describe('size table', () => {
  const row = (shape: 'fan-out' | 'chain', size: number, subtasksPerS: number, cpuMsPerSubTask: number): SizeRow => ({ shape, size, tasks: 20_000 / size, refusedTasks: 0, completed: 20_000 / size, subtasksPerS, cpuMsPerSubTask });
  const rows = rateRows([
    row('fan-out', 10, 1000, 1.5),
    row('fan-out', 100, 1200, 1.2),
    row('chain', 100, 300, 2.7),
    { shape: 'fan-out', size: 10_000, tasks: 2, refusedTasks: 2, completed: 0, refusal: 'VALIDATION_FAILED: invalid (subtasks: must have at most 2000 SubTasks (has 10000))' },
  ]);

  it('rates every measured row against the best throughput and the lowest cost', () => {
    expect(rows.map((r) => [r.throughputVsBest, r.costVsBest])).toEqual([[0.83, 1.25], [1, 1], [0.25, 2.25], [undefined, undefined]]);
    expect(withinFactor(rows)).toBe(false);
    expect(withinFactor(rows.slice(0, 2))).toBe(true);
  });

  it('rates the CPU above idle against the smallest Task of the same shape, and judges the target by it', () => {
    const net = (shape: 'fan-out' | 'chain', size: number, netCpuMsPerSubTask: number): SizeRow => ({ ...row(shape, size, 1000, 9), netCpuMsPerSubTask });
    const rated = rateRows([net('fan-out', 10, 1.0), net('fan-out', 10_000, 1.9), net('chain', 10, 2.5), net('chain', 10_000, 4.0)]);
    expect(rated.map((r) => r.netCostVsSmallest)).toEqual([1, 1.9, 1, 1.6]);
    expect(withinFactor(rated)).toBe(true);
    expect(withinFactor(rateRows([net('chain', 10, 1), net('chain', 1000, 2.5)]))).toBe(false);
    expect(formatSizeTable(rated)).toMatch(/chain\s+10000\s+2\s+1000\s+1\.00\s+9\.00\s+1\.00\s+4\.00\s+1\.60/);
  });

  it('prints a refused size with the server\'s error', () => {
    const text = formatSizeTable(rows);
    expect(text).toContain('refused: VALIDATION_FAILED: invalid (subtasks: must have at most 2000 SubTasks (has 10000))');
    expect(text).toMatch(/chain\s+100\s+200\s+300\s+0\.25\s+2\.70\s+2\.25/);
  });
});
