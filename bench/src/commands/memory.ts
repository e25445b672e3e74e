// `memory`: the write path under big Tasks. task-api and integration-worker (the `bench` queue) as
// processes, --tasks Tasks of --subtasks independent no-op SubTasks over NATS request/reply; the
// resident set of both idle, at its peak and at the end. RSS alone says little (V8 grows its heap
// lazily up to a limit set from the machine's memory): --heap-mb runs the services with the
// old-space limit of a small pod, so that what their caches hold has to fit.

import type { MemoryOptions } from '../cli/command-line.js';
import { closedLoop } from '../load/loops.js';
import { PipelineHarness } from '../pipeline/harness.js';
import { sizedTask } from '../pipeline/task-shapes.js';
import { memoryOf } from '../proc/memory.js';
import { MemoryWatch } from '../proc/memory-watch.js';
import { num } from '../report/format.js';
import { table } from '../report/table.js';
import { machine } from '../run/machine.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import { EXIT, type RunGuard } from '../run/run-guard.js';
import { round } from '../stats/summary.js';

export async function memory(guard: RunGuard, o: MemoryOptions, out: Output, progress: Progress): Promise<number> {
  const deadline = Date.now() + o.timeout * 1000;
  const env = { WORKER_RETRY_INTERVAL_SCALE: '0.01', ...(o.heapMb ? { NODE_OPTIONS: `--max-old-space-size=${o.heapMb}` } : {}) };
  const harness = await PipelineHarness.start(guard, { transport: 'nats', services: ['task-api', 'integration-worker'], env }, progress);
  try {
    const { ledger, system } = harness;
    const pids = new Map(system.services.map((s) => [s.label, s.process.pid]));
    const watch = new MemoryWatch(pids);
    watch.start();
    const phase = 'memory';
    const createdBy = ledger.createdBy(phase);
    progress(`memory: ${o.tasks} Tasks of ${o.subtasks} SubTasks, ${o.concurrency} creates in flight…`);
    const started = Date.now();
    await closedLoop(o.tasks, o.concurrency, (i) => harness.submit(phase, i, sizedTask(`memory ${i}`, createdBy, 'fan-out', o.subtasks)), () => guard.stopping);
    await ledger.book.untilFinished(phase, o.tasks, Math.max(1_000, deadline - Date.now()));
    const seconds = (Date.now() - started) / 1000;
    const figures = watch.figures();
    const end = Object.fromEntries([...pids].map(([label, pid]) => [label, pid === undefined ? undefined : memoryOf(pid)?.rssMiB]));
    const exited = system.services.filter((s) => s.process.exitResult).map((s) => `${s.label} exited during the run: ${JSON.stringify(s.process.exitResult)}`);
    const refused = ledger.book.refusals().length;
    const succeeded = ledger.book.of(phase).filter((t) => t.ok === true).length;
    const subtasks = succeeded * o.subtasks;
    out.report(
      [
        `\n${o.tasks} Tasks × ${o.subtasks} SubTasks (${o.tasks * o.subtasks} SubTasks) in ${seconds.toFixed(1)} s (${Math.round(subtasks / seconds)} SubTasks/s)${o.heapMb ? `, services limited to a ${o.heapMb} MiB heap` : ''}`,
        table(['process', 'idle MiB', 'peak MiB', 'end MiB'], [...pids.keys()].map((label) => [label, num(figures[label]?.idleMiB), num(figures[label]?.peakMiB), num(end[label])])),
        ...exited,
        ...(refused > 0 ? [`${refused} creates refused (first: ${ledger.book.refusals()[0]!.message})`] : []),
      ].join('\n'),
    );
    out.json({ bench: 'memory', at: new Date().toISOString(), machine: machine(), tasks: o.tasks, subtasks: o.subtasks, heapMb: o.heapMb, seconds: round(seconds, 1), memory: figures, endMiB: end, refused, succeeded });
    return exited.length === 0 && refused === 0 && succeeded === o.tasks ? 0 : EXIT.failed;
  } finally {
    await harness.stop();
  }
}
