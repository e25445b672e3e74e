// Saturation: --tasks Tasks with --concurrency creates in flight, while the projection's checkpoint
// and the consumers' backlog are sampled (and, with --census, the NATS messages counted). CPU runs
// from the first create to the last success; the projection's catch-up after it is its own figure.

import { saturationFigures, lastFinish } from '../load/figures.js';
import { closedLoop, type LoopTimes } from '../load/loops.js';
import { cpuPer, cpuSnapshot, cpuUsage, type CpuSnapshot } from '../proc/cpu.js';
import { round } from '../stats/summary.js';
import { startCensus } from './census.js';
import { staged, submitStandard, type PhaseRun } from './phase-run.js';
import type { PipelineSaturation } from './pipeline-result.js';
import { BacklogSampler, CheckpointSampler, type BacklogPeak } from './samplers.js';
import { stageSummaries } from './stages.js';

export async function saturate({ harness, options, groups, remaining, stopping }: PhaseRun): Promise<PipelineSaturation> {
  const { ledger, system } = harness;
  const phase = 'saturation';
  const streamBefore = await harness.streamState();
  const checkpoints = new CheckpointSampler(harness.projection);
  const backlog = new BacklogSampler(system.jsm, system.topology);
  const census = options.census ? startCensus(system.nc, system.topology) : undefined;
  const before = cpuSnapshot(groups);
  let after: CpuSnapshot | undefined;
  let loop: LoopTimes | undefined;
  let backlogPeak: BacklogPeak | undefined;
  try {
    loop = await closedLoop(options.tasks, options.concurrency, submitStandard(harness, phase), stopping);
    await ledger.book.untilFinished(phase, options.tasks, remaining());
    // CPU until the last success; the projection's catch-up after it is reported on its own.
    after = cpuSnapshot(groups);
    await checkpoints.finish((await harness.streamState()).lastSeq);
  } finally {
    await checkpoints.stop();
    backlogPeak = await backlog.stop();
  }
  const items = ledger.book.of(phase);
  const streamAfter = await harness.streamState();
  const cpu = cpuUsage(before, after!);
  const figures = saturationFigures(items, loop!, options.concurrency, cpu, cpuPer(cpu, items.length));
  const commits = streamAfter.lastSeq - streamBefore.lastSeq;
  const successes = items.flatMap((item) => {
    const finished = ledger.fold.get(item.id)?.finished;
    return finished?.ok ? [finished] : [];
  });
  return {
    ...figures,
    commitsPerS: figures.wallS > 0 ? round(commits / figures.wallS, 0) : 0,
    commitsPerTask: round(commits / Math.max(1, items.length)),
    bytesPerTask: round((streamAfter.bytes - streamBefore.bytes) / Math.max(1, items.length), 0),
    stagesMs: stageSummaries(staged(harness, items)),
    projection: checkpoints.figures(successes, lastFinish(items)),
    backlogPeak,
    census: census?.(options.tasks),
  };
}
