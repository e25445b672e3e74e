// `pipeline` and `bullmq`: one peer's phase alone, with its report and JSON line.

import { runBullmqPhase } from '../bullmq/bullmq-phase.js';
import type { BullmqOptions, PipelineAloneOptions } from '../cli/command-line.js';
import type { PeerResult } from '../load/figures.js';
import { runPipelinePhase } from '../pipeline/pipeline-phase.js';
import { formatPeerRun } from '../report/peer-report.js';
import { machine } from '../run/machine.js';
import type { Output } from '../run/output.js';
import type { Progress } from '../run/progress.js';
import { EXIT, type RunGuard } from '../run/run-guard.js';
import { bullmqPhase, pipelinePhase } from './phase-options.js';

function report(result: PeerResult, out: Output): number {
  out.report(`\n${formatPeerRun(result)}`);
  out.json({ bench: result.peer, at: new Date().toISOString(), machine: machine(), ...result });
  return result.ok ? 0 : EXIT.failed;
}

export async function pipelineAlone(guard: RunGuard, o: PipelineAloneOptions, out: Output, progress: Progress): Promise<number> {
  return report(await runPipelinePhase(guard, pipelinePhase(o, Date.now() + o.timeout * 1000, { checkout: o.checkout }), progress), out);
}

export async function bullmqAlone(guard: RunGuard, o: BullmqOptions, out: Output, progress: Progress): Promise<number> {
  return report(await runBullmqPhase(guard, bullmqPhase(o, Date.now() + o.timeout * 1000), progress), out);
}
