// `compare` (the default): rounds of a BullMQ phase and a pipeline phase back to back, and with
// --baseline a phase of the baseline checkout's services too, the order rotating per round so that
// none always runs first (on a warm or a cold machine); then the medians with min–max, the ratios
// pipeline/BullMQ and pipeline/baseline taken per round, and the baseline's figures before → after.

import { runBullmqPhase, type BullmqResult } from '../bullmq/bullmq-phase.js';
import type { CompareOptions } from '../cli/command-line.js';
import type { PeerName } from '../load/figures.js';
import { roundOrder } from '../load/round-order.js';
import { asRecorded } from '../pipeline/checkout.js';
import { runPipelinePhase } from '../pipeline/pipeline-phase.js';
import type { PipelineResult } from '../pipeline/pipeline-result.js';
import { formatRound, formatSummary } from '../report/compare-report.js';
import { compareRound, summarizeRounds, type CompareRound } from '../report/compare-summary.js';
import { machine } from '../run/machine.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import { EXIT, type RunGuard } from '../run/run-guard.js';
import { bullmqPhase, pipelinePhase } from './phase-options.js';

export async function compare(guard: RunGuard, o: CompareOptions, out: Output, progress: Progress): Promise<number> {
  const deadline = Date.now() + o.timeout * 1000;
  const peers: PeerName[] = o.baseline ? ['bullmq', 'pipeline', 'baseline'] : ['bullmq', 'pipeline'];
  const rounds: CompareRound[] = [];
  for (let k = 1; k <= o.rounds && !guard.stopping; k++) {
    const order = roundOrder(peers, k);
    let bullmq: BullmqResult | undefined;
    let pipeline: PipelineResult | undefined;
    let baseline: PipelineResult | undefined;
    for (const peer of order) {
      progress(`round ${k} of ${o.rounds}: ${peer === 'baseline' ? `baseline ${o.baseline!.label} (${o.baseline!.root})` : peer}`);
      if (peer === 'bullmq') bullmq = await runBullmqPhase(guard, bullmqPhase(o, deadline), progress);
      else if (peer === 'pipeline') pipeline = await runPipelinePhase(guard, pipelinePhase(o, deadline), progress);
      else baseline = await runPipelinePhase(guard, pipelinePhase(o, deadline, { peer: 'baseline', checkout: o.baseline }), progress);
    }
    const round = compareRound(k, order, { bullmq: bullmq!, pipeline: pipeline!, baseline });
    rounds.push(round);
    out.report(`\n${formatRound(round, o.rounds)}`);
    out.json({ ...round, at: new Date().toISOString(), machine: machine() });
  }
  const summary = summarizeRounds(rounds);
  out.report(`\n${formatSummary(summary)}`);
  out.json({ ...summary, at: new Date().toISOString(), machine: machine(), options: { ...o, baseline: o.baseline && asRecorded(o.baseline) } });
  return summary.ok ? 0 : EXIT.failed;
}
