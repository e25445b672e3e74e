// `replicas`: N task-api, N integration-worker and N projection processes against 1 of each, in
// interleaved rounds (the order alternating), saturation only: does scaling out give at least the
// single-replica throughput on this machine?

import type { ReplicasOptions } from '../cli/command-line.js';
import { thisCheckout } from '../pipeline/checkout.js';
import { runPipelinePhase } from '../pipeline/pipeline-phase.js';
import type { PipelinePhaseOptions, PipelineResult } from '../pipeline/pipeline-result.js';
import { num, p50p99, pairs, spreadText } from '../report/format.js';
import { table } from '../report/table.js';
import { machine } from '../run/machine.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import { EXIT, type RunGuard } from '../run/run-guard.js';
import { round, spread } from '../stats/summary.js';

export interface ReplicasRound {
  readonly bench: 'replicas-round';
  readonly round: number;
  readonly order: readonly number[];
  readonly single: PipelineResult;
  readonly scaled: PipelineResult;
  /** Tasks/s of N replicas ÷ Tasks/s of one. */
  readonly ratio?: number;
}

function row(r: PipelineResult) {
  const s = r.saturation;
  return [`${r.replicas} of each`, s.tasksPerS, s.subtasksPerS, p50p99(s.latencyMs), num(s.cpuPerTask.totalMs), r.ok ? 'yes' : 'NO'];
}

/** Where a configuration's cost is: CPU per Task by process (replicas summed), commits, the census. */
function details(r: PipelineResult): string[] {
  const s = r.saturation;
  const who = `${r.replicas} of each`;
  const lines = [`  ${who}: CPU ms per Task by process: ${pairs(s.cpuPerTask.ms)}; ${num(s.commitsPerTask)} commits per Task`];
  if (s.census) lines.push(`  ${who}: NATS messages per Task (census): ${pairs(s.census.perTask)}; mean pull batch of jobs ${s.census.meanPullBatch.jobs}`);
  return lines;
}

const HEADER = ['replicas', 'Tasks/s', 'SubTasks/s', 'saturation p50 / p99 ms', 'CPU ms/Task', 'ok'];

export async function replicas(guard: RunGuard, o: ReplicasOptions, out: Output, progress: Progress): Promise<number> {
  const deadline = Date.now() + o.timeout * 1000;
  const phase = (count: number): PipelinePhaseOptions => ({
    peer: 'pipeline', checkout: thisCheckout(),
    tasks: o.tasks, concurrency: o.concurrency, lightTasks: 0, lightIntervalMs: 20, warmup: o.warmup, idleSettleMs: 0, halfRateTasks: 0,
    transport: o.transport, replicas: count, light: false, census: o.census, cpuProf: [], deadline,
  });
  const rounds: ReplicasRound[] = [];
  for (let k = 1; k <= o.rounds && !guard.stopping; k++) {
    const order = k % 2 === 1 ? [1, o.replicas] : [o.replicas, 1];
    const results = new Map<number, PipelineResult>();
    for (const count of order) {
      progress(`round ${k} of ${o.rounds}: ${count} of each service`);
      results.set(count, await runPipelinePhase(guard, phase(count), progress));
    }
    const single = results.get(1)!;
    const scaled = results.get(o.replicas)!;
    const ratio = single.saturation.tasksPerS > 0 ? round(scaled.saturation.tasksPerS / single.saturation.tasksPerS, 3) : undefined;
    const entry: ReplicasRound = { bench: 'replicas-round', round: k, order, single, scaled, ratio };
    rounds.push(entry);
    out.report(`\nround ${k} of ${o.rounds}\n${table(HEADER, order.map((n) => row(results.get(n)!)))}\n  ratio ${o.replicas} / 1 Tasks/s: ${num(ratio)}`);
    for (const n of order) out.report(details(results.get(n)!).join('\n'));
    for (const r of [single, scaled]) for (const problem of r.problems) out.report(`  ${r.replicas} of each: PROBLEM: ${problem}`);
    out.json({ ...entry, at: new Date().toISOString(), machine: machine() });
  }
  const ratio = spread(rounds.map((r) => r.ratio));
  const summary = {
    bench: 'replicas-summary',
    rounds: rounds.length,
    replicas: o.replicas,
    single: { tasksPerS: spread(rounds.map((r) => r.single.saturation.tasksPerS)), cpuMsPerTask: spread(rounds.map((r) => r.single.saturation.cpuPerTask.totalMs)) },
    scaled: { tasksPerS: spread(rounds.map((r) => r.scaled.saturation.tasksPerS)), cpuMsPerTask: spread(rounds.map((r) => r.scaled.saturation.cpuPerTask.totalMs)) },
    ratio,
    ok: rounds.every((r) => r.single.ok && r.scaled.ok),
  };
  out.report(
    [
      `\nsummary over ${rounds.length} rounds: median (min–max)`,
      table(['replicas', 'Tasks/s', 'CPU ms/Task'], [
        ['1 of each', spreadText(summary.single.tasksPerS), spreadText(summary.single.cpuMsPerTask)],
        [`${o.replicas} of each`, spreadText(summary.scaled.tasksPerS), spreadText(summary.scaled.cpuMsPerTask)],
      ]),
      `ratio ${o.replicas} / 1 Tasks/s (per round): ${spreadText(ratio)}`,
      `target (printed, not asserted): ${o.replicas} replicas of each give at least the single-replica throughput: ${ratio === undefined ? '-' : ratio.median >= 1 ? 'met' : 'not met'}`,
    ].join('\n'),
  );
  out.json({ ...summary, at: new Date().toISOString(), machine: machine(), options: o });
  return summary.ok ? 0 : EXIT.failed;
}
