// `sizes`: Tasks of 10, 100, 1,000 and 10,000 SubTasks, each as a fan-out (all independent) and as a
// chain (each depending on the previous one), a fixed number of SubTasks per row, on one booted
// pipeline. A size task-api refuses (today at most MAX_SUBTASKS_PER_TASK per Task) is a row with the
// server's error; the run goes on with the next size.

import type { SizesOptions } from '../cli/command-line.js';
import { closedLoop } from '../load/loops.js';
import { PipelineHarness } from '../pipeline/harness.js';
import { sizedTask, standardTask, type Shape } from '../pipeline/task-shapes.js';
import { cpuPer, cpuSnapshot, cpuUsage, type ProcessGroup } from '../proc/cpu.js';
import { formatSizeTable, rateRows, withinFactor, type SizeRow } from '../report/size-table.js';
import { machine } from '../run/machine.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import { EXIT, type RunGuard } from '../run/run-guard.js';
import { round, summarize } from '../stats/summary.js';
import { lastFinish } from '../load/figures.js';

export async function sizes(guard: RunGuard, o: SizesOptions, out: Output, progress: Progress): Promise<number> {
  const deadline = Date.now() + o.timeout * 1000;
  const remaining = () => Math.max(1_000, deadline - Date.now());
  const stopping = () => guard.stopping;
  const harness = await PipelineHarness.start(guard, { transport: o.transport }, progress);
  try {
    const { ledger } = harness;
    const groups = harness.system.cpuGroups();
    if (o.warmup > 0) {
      progress(`sizes: warm-up, ${o.warmup} Tasks…`);
      await closedLoop(o.warmup, 16, (i) => harness.submit('warmup', i, standardTask(`bench warmup ${i}`, ledger.createdBy('warmup'))), stopping);
      await ledger.book.untilFinished('warmup', o.warmup, remaining());
    }
    const idle = await idleCpuRate(groups, stopping, progress);
    const rows: SizeRow[] = [];
    for (const shape of o.shapes) {
      for (const size of o.sizes) {
        if (guard.stopping) break;
        const row = await sizeRow(harness, shape, size, o, groups, idle, remaining, stopping, progress);
        rows.push(row);
        out.json({ bench: 'sizes-row', at: new Date().toISOString(), ...row });
      }
    }
    progress('sizes: waiting for the read model, then checking it…');
    await harness.projectionCaughtUp(remaining());
    const book = ledger.book;
    let listed = 0;
    for (const phase of new Set(book.all().map((t) => t.phase))) listed += await harness.projection.successCount(ledger.createdBy(phase));
    const succeeded = book.all().filter((t) => t.ok === true).length;
    const rated = rateRows(rows);
    const within = withinFactor(rated);
    const refused = book.refusals().length;
    const ok = listed === succeeded && succeeded === book.all().length && refused === 0 && ledger.fold.counters.failedTasks === 0;
    out.report(
      [
        `\nTasks by size, ${o.totalSubtasks} SubTasks per row, ${o.tasksInFlight === undefined ? `${o.concurrency} creates in flight` : `${o.tasksInFlight} Task${o.tasksInFlight === 1 ? '' : 's'} at a time`} (transport ${o.transport})`,
        formatSizeTable(rated),
        `target (printed, not asserted): every size costs the same per SubTask within 2×: ${within === undefined ? '-' : within ? 'met' : 'not met'} (over the sizes that ran)`,
        `read model: ${listed}/${succeeded} Tasks success ${listed === succeeded ? 'OK' : 'MISMATCH'}; refused creates ${refused}; failed Tasks ${ledger.fold.counters.failedTasks}`,
      ].join('\n'),
    );
    out.json({ bench: 'sizes-summary', at: new Date().toISOString(), machine: machine(), options: o, rows: rated, withinTwoTimes: within, readModel: { listed, succeeded }, refused, ok });
    return ok ? 0 : EXIT.failed;
  } finally {
    await harness.stop();
  }
}

async function sizeRow(
  harness: PipelineHarness,
  shape: Shape,
  size: number,
  o: SizesOptions,
  groups: readonly ProcessGroup[],
  idleCpuPerS: number,
  remaining: () => number,
  stopping: () => boolean,
  progress: Progress,
): Promise<SizeRow> {
  const { ledger } = harness;
  const phase = `${shape}-${size}`;
  const tasks = Math.max(1, Math.round(o.totalSubtasks / size));
  progress(`sizes: ${tasks} Tasks of ${size} SubTasks as a ${shape}…`);
  const createdBy = ledger.createdBy(phase);
  const before = cpuSnapshot(groups);
  const submit = (i: number) => harness.submit(phase, i, sizedTask(`bench ${phase} ${i}`, createdBy, shape, size));
  const loop = o.tasksInFlight === undefined ? await closedLoop(tasks, Math.min(o.concurrency, tasks), submit, stopping) : await inWaves(tasks, o.tasksInFlight, o.concurrency, submit, (n) => ledger.book.untilFinished(phase, n, remaining()), stopping);
  await ledger.book.untilFinished(phase, tasks, remaining());
  // The row's cost includes the projection's catch-up, so that none of it is charged to the next row.
  await harness.projectionCaughtUp(remaining());
  const usage = cpuUsage(before, cpuSnapshot(groups));
  const refusals = ledger.book.refusals(phase);
  const items = ledger.book.of(phase).filter((t) => t.ok === true);
  const subtasks = items.reduce((n, t) => n + t.units, 0);
  const base = { shape, size, tasks, refusedTasks: refusals.length, refusal: refusals[0]?.message, completed: items.length };
  if (items.length === 0) return base;
  const wallS = (lastFinish(items) - loop.first) / 1000;
  const per = cpuPer(usage, subtasks);
  const net = Math.max(0, usage.totalS - idleCpuPerS * usage.wallS);
  return {
    ...base,
    wallS: round(wallS, 3),
    subtasksPerS: wallS > 0 ? round(subtasks / wallS, 0) : undefined,
    cpuMsPerSubTask: per.totalMs,
    cpuMsPerSubTaskByProcess: per.ms,
    netCpuMsPerSubTask: round((net * 1000) / Math.max(1, subtasks), 3),
    taskLatencyMs: summarize(items.map((t) => t.finishedAt! - t.submittedAt)),
  };
}

/** `tasks` Tasks in waves of `wave`: each wave is created, then waited for until it finished. */
async function inWaves(tasks: number, wave: number, concurrency: number, submit: (i: number) => Promise<void>, finished: (count: number) => Promise<void>, stopping: () => boolean) {
  let first: number | undefined;
  for (let start = 0; start < tasks && !stopping(); start += wave) {
    const size = Math.min(wave, tasks - start);
    const times = await closedLoop(size, Math.min(concurrency, size), (i) => submit(start + i), stopping);
    first ??= times.first;
    await finished(start + size);
  }
  return { first: first ?? performance.now(), lastAnswer: performance.now() };
}

/** How long the system's idle use is sampled (timers, heartbeats, pull expiries, the bench's samplers). */
const IDLE_SAMPLE_MS = 3_000;

/** CPU seconds per second the booted system uses with nothing to do. */
async function idleCpuRate(groups: readonly ProcessGroup[], stopping: () => boolean, progress: Progress): Promise<number> {
  progress(`sizes: the system's idle CPU, ${IDLE_SAMPLE_MS / 1000} s…`);
  const before = cpuSnapshot(groups);
  const until = Date.now() + IDLE_SAMPLE_MS;
  while (Date.now() < until && !stopping()) await new Promise((resolve) => setTimeout(resolve, 100));
  const usage = cpuUsage(before, cpuSnapshot(groups));
  return usage.wallS > 0 ? usage.totalS / usage.wallS : 0;
}
