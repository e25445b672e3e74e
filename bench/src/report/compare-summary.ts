// The summary of the interleaved rounds: every figure as its median with min–max over the rounds,
// and the ratios pipeline/BullMQ and pipeline/baseline of Tasks/s taken per round (the peers measured
// back to back on the same machine state), then reduced the same way.

import type { BullmqResult } from '../bullmq/bullmq-phase.js';
import type { PeerName, PeerResult } from '../load/figures.js';
import type { Checkout } from '../pipeline/checkout.js';
import type { PipelineResult } from '../pipeline/pipeline-result.js';
import type { BacklogPeak } from '../pipeline/samplers.js';
import { STAGES, type Stage } from '../pipeline/stages.js';
import { round, spread, type Spread } from '../stats/summary.js';
import { beforeAfterRows, type BeforeAfterRow } from './before-after.js';

export interface CompareRound {
  readonly bench: 'compare-round';
  readonly round: number;
  readonly order: readonly PeerName[];
  readonly bullmq: BullmqResult;
  readonly pipeline: PipelineResult;
  /** The pipeline of the --baseline checkout, when one was given. */
  readonly baseline?: PipelineResult;
  /** Pipeline Tasks/s ÷ BullMQ Tasks/s in this round. */
  readonly ratio?: number;
  /** Pipeline Tasks/s ÷ baseline Tasks/s in this round. */
  readonly baselineRatio?: number;
}

export interface PeerSpread {
  readonly tasksPerS?: Spread;
  readonly subtasksPerS?: Spread;
  readonly lightP50?: Spread;
  readonly lightP99?: Spread;
  readonly saturationP50?: Spread;
  readonly saturationP99?: Spread;
  readonly cpuMsPerTask?: Spread;
  readonly cpuMsPerTaskByProcess: Readonly<Record<string, Spread | undefined>>;
  readonly idleMiB: Readonly<Record<string, Spread | undefined>>;
  readonly peakMiB: Readonly<Record<string, Spread | undefined>>;
}

export interface PipelineSpread extends PeerSpread {
  readonly commitsPerTask?: Spread;
  readonly bytesPerTask?: Spread;
  readonly stagesLightP50: Readonly<Record<Stage, Spread | undefined>>;
  readonly stagesSaturationP50: Readonly<Record<Stage, Spread | undefined>>;
  readonly probeLagP50?: Spread;
  readonly probeLagP99?: Spread;
  readonly halfRateLagP50?: Spread;
  readonly halfRateLagP99?: Spread;
  readonly checkpointLagP50?: Spread;
  readonly checkpointLagP99?: Spread;
  readonly backlogPeak: Readonly<Record<keyof BacklogPeak, Spread | undefined>>;
}

export interface CompareSummary {
  readonly bench: 'compare-summary';
  readonly rounds: number;
  /** Pipeline / BullMQ Tasks/s, per round. */
  readonly ratio?: Spread;
  /** Pipeline / baseline Tasks/s, per round. */
  readonly baselineRatio?: Spread;
  readonly bullmq: PeerSpread;
  readonly pipeline: PipelineSpread;
  readonly baseline?: PipelineSpread;
  /** Whose services each pipeline peer ran. */
  readonly checkouts: { readonly pipeline?: Checkout; readonly baseline?: Checkout };
  /** The baseline's medians against the pipeline's (before → after), when there is a baseline. */
  readonly beforeAfter?: readonly BeforeAfterRow[];
  /** Every round of every peer was ok. */
  readonly ok: boolean;
}

/** Tasks/s of `peer` ÷ Tasks/s of `other`. */
export function tasksPerSRatio(peer: PeerResult, other: PeerResult): number | undefined {
  return other.saturation.tasksPerS > 0 ? round(peer.saturation.tasksPerS / other.saturation.tasksPerS, 3) : undefined;
}

/** Round `k` of the results of its peers, with its ratios. */
export function compareRound(k: number, order: readonly PeerName[], peers: { bullmq: BullmqResult; pipeline: PipelineResult; baseline?: PipelineResult }): CompareRound {
  const { bullmq, pipeline, baseline } = peers;
  return {
    bench: 'compare-round',
    round: k,
    order,
    bullmq,
    pipeline,
    baseline,
    ratio: tasksPerSRatio(pipeline, bullmq),
    baselineRatio: baseline ? tasksPerSRatio(pipeline, baseline) : undefined,
  };
}

/** One record per key present in any result, each the spread of `pick` over the results. */
function byKey<R>(results: readonly R[], keys: (r: R) => readonly string[], pick: (r: R, key: string) => number | undefined): Record<string, Spread | undefined> {
  const all = [...new Set(results.flatMap(keys))];
  return Object.fromEntries(all.map((key) => [key, spread(results.map((r) => pick(r, key)))]));
}

export function peerSpread(results: readonly PeerResult[]): PeerSpread {
  const of = (pick: (r: PeerResult) => number | undefined) => spread(results.map(pick));
  return {
    tasksPerS: of((r) => r.saturation.tasksPerS),
    subtasksPerS: of((r) => r.saturation.subtasksPerS),
    lightP50: of((r) => r.light?.latencyMs.p50),
    lightP99: of((r) => r.light?.latencyMs.p99),
    saturationP50: of((r) => r.saturation.latencyMs.p50),
    saturationP99: of((r) => r.saturation.latencyMs.p99),
    cpuMsPerTask: of((r) => r.saturation.cpuPerTask.totalMs),
    cpuMsPerTaskByProcess: byKey(results, (r) => Object.keys(r.saturation.cpuPerTask.ms), (r, k) => r.saturation.cpuPerTask.ms[k]),
    idleMiB: byKey(results, (r) => Object.keys(r.memory), (r, k) => r.memory[k]?.idleMiB),
    peakMiB: byKey(results, (r) => Object.keys(r.memory), (r, k) => r.memory[k]?.peakMiB),
  };
}

export function pipelineSpread(results: readonly PipelineResult[]): PipelineSpread {
  const of = (pick: (r: PipelineResult) => number | undefined) => spread(results.map(pick));
  const stages = (pick: (r: PipelineResult) => Partial<Record<Stage, { p50?: number }>> | undefined) =>
    Object.fromEntries(STAGES.map((stage) => [stage, of((r) => pick(r)?.[stage]?.p50)])) as Record<Stage, Spread | undefined>;
  const backlogKeys: (keyof BacklogPeak)[] = ['dispatcherPending', 'dispatcherAckPending', 'jobsPending', 'jobsAckPending'];
  return {
    ...peerSpread(results),
    commitsPerTask: of((r) => r.saturation.commitsPerTask),
    bytesPerTask: of((r) => r.saturation.bytesPerTask),
    stagesLightP50: stages((r) => r.light?.stagesMs),
    stagesSaturationP50: stages((r) => r.saturation.stagesMs),
    probeLagP50: of((r) => r.projectionProbe?.lagMs.p50),
    probeLagP99: of((r) => r.projectionProbe?.lagMs.p99),
    halfRateLagP50: of((r) => r.halfRate?.lagMs.p50),
    halfRateLagP99: of((r) => r.halfRate?.lagMs.p99),
    checkpointLagP50: of((r) => r.saturation.projection.checkpointLagMs.p50),
    checkpointLagP99: of((r) => r.saturation.projection.checkpointLagMs.p99),
    backlogPeak: Object.fromEntries(backlogKeys.map((k) => [k, of((r) => r.saturation.backlogPeak?.[k])])) as Record<keyof BacklogPeak, Spread | undefined>,
  };
}

export function summarizeRounds(rounds: readonly CompareRound[]): CompareSummary {
  const pipeline = pipelineSpread(rounds.map((r) => r.pipeline));
  const baselines = rounds.flatMap((r) => (r.baseline ? [r.baseline] : []));
  const baseline = baselines.length > 0 ? pipelineSpread(baselines) : undefined;
  return {
    bench: 'compare-summary',
    rounds: rounds.length,
    ratio: spread(rounds.map((r) => r.ratio)),
    baselineRatio: spread(rounds.map((r) => r.baselineRatio)),
    bullmq: peerSpread(rounds.map((r) => r.bullmq)),
    pipeline,
    baseline,
    checkouts: { pipeline: rounds[0]?.pipeline.checkout, baseline: baselines[0]?.checkout },
    beforeAfter: baseline ? beforeAfterRows(baseline, pipeline) : undefined,
    ok: rounds.every((r) => r.bullmq.ok && r.pipeline.ok && (r.baseline?.ok ?? true)),
  };
}
