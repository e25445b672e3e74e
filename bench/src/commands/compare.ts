// `compare` (the default): rounds of a BullMQ phase and a pipeline phase back to back, the order
// alternating per round so that neither always runs first (on a warm or a cold machine), then the
// medians with min–max and the ratio pipeline/BullMQ taken per round.

import { runBullmqPhase, type BullmqResult } from '../bullmq/bullmq-phase.js';
import type { CompareOptions } from '../cli/command-line.js';
import type { PeerName } from '../load/figures.js';
import { runPipelinePhase } from '../pipeline/pipeline-phase.js';
import type { PipelineResult } from '../pipeline/pipeline-result.js';
import { formatRound, formatSummary } from '../report/compare-report.js';
import { summarizeRounds, tasksPerSRatio, type CompareRound } from '../report/compare-summary.js';
import { machine } from '../run/machine.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import { EXIT, type RunGuard } from '../run/run-guard.js';
import { bullmqPhase, pipelinePhase } from './phase-options.js';

export async function compare(guard: RunGuard, o: CompareOptions, out: Output, progress: Progress): Promise<number> {
  const deadline = Date.now() + o.timeout * 1000;
  const rounds: CompareRound[] = [];
  for (let k = 1; k <= o.rounds && !guard.stopping; k++) {
    const order: PeerName[] = k % 2 === 1 ? ['bullmq', 'pipeline'] : ['pipeline', 'bullmq'];
    let bullmq: BullmqResult | undefined;
    let pipeline: PipelineResult | undefined;
    for (const peer of order) {
      progress(`round ${k} of ${o.rounds}: ${peer}`);
      if (peer === 'bullmq') bullmq = await runBullmqPhase(guard, bullmqPhase(o, deadline), progress);
      else pipeline = await runPipelinePhase(guard, pipelinePhase(o, deadline), progress);
    }
    const round: CompareRound = { bench: 'compare-round', round: k, order, bullmq: bullmq!, pipeline: pipeline!, ratio: tasksPerSRatio(pipeline!, bullmq!) };
    rounds.push(round);
    out.report(`\n${formatRound(round, o.rounds)}`);
    out.json({ ...round, at: new Date().toISOString(), machine: machine() });
  }
  const summary = summarizeRounds(rounds);
  out.report(`\n${formatSummary(summary)}`);
  out.json({ ...summary, at: new Date().toISOString(), machine: machine(), options: o });
  return summary.ok ? 0 : EXIT.failed;
}
