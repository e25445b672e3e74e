// The readable report of `compare`: each round as it ends, then the summary over the rounds and,
// with a baseline checkout, its before → after table.

import type { PeerResult } from '../load/figures.js';
import { STAGES } from '../pipeline/stages.js';
import type { Spread } from '../stats/summary.js';
import { formatBeforeAfter } from './before-after.js';
import type { CompareRound, CompareSummary, PeerSpread, PipelineSpread } from './compare-summary.js';
import { num, spreadText } from './format.js';
import { peerDetails, peerTable } from './peer-report.js';
import { table } from './table.js';
import { compareTargets, formatTargets } from './targets.js';

const baselineName = (label: string | undefined) => `baseline ${label ?? ''}`.trim();

export function formatRound(round: CompareRound, of: number): string {
  const peers = round.order.flatMap((name): PeerResult[] => {
    const result = round[name];
    return result ? [result] : [];
  });
  const [first, ...rest] = round.order;
  return [
    `round ${round.round} of ${of} (${first} first, then ${rest.join(', then ')})`,
    peerTable(peers),
    `  ratio pipeline / BullMQ Tasks/s: ${num(round.ratio)}`,
    ...(round.baseline ? [`  ratio pipeline / ${baselineName(round.baseline.checkout.label)} Tasks/s: ${num(round.baselineRatio)}`] : []),
    ...peers.flatMap(peerDetails),
  ].join('\n');
}

type Row = [string, ...(Spread | undefined)[]];

/** The figures every peer has, one column per peer. */
function peerRows(peers: readonly PeerSpread[]): Row[] {
  const rows: Row[] = [
    ['Tasks/s', ...peers.map((p) => p.tasksPerS)],
    ['SubTasks/s', ...peers.map((p) => p.subtasksPerS)],
    ['light success p50 ms', ...peers.map((p) => p.lightP50)],
    ['light success p99 ms', ...peers.map((p) => p.lightP99)],
    ['saturation success p50 ms', ...peers.map((p) => p.saturationP50)],
    ['saturation success p99 ms', ...peers.map((p) => p.saturationP99)],
    ['CPU ms/Task, all processes', ...peers.map((p) => p.cpuMsPerTask)],
  ];
  const processes = [...new Set(peers.flatMap((p) => Object.keys(p.cpuMsPerTaskByProcess)))];
  for (const name of processes) rows.push([`  CPU ms/Task, ${name}`, ...peers.map((p) => p.cpuMsPerTaskByProcess[name])]);
  const labels = [...new Set(peers.flatMap((p) => Object.keys(p.idleMiB)))];
  for (const label of labels) {
    rows.push([`RSS MiB idle, ${label}`, ...peers.map((p) => p.idleMiB[label])]);
    rows.push([`RSS MiB peak, ${label}`, ...peers.map((p) => p.peakMiB[label])]);
  }
  return rows;
}

/** The figures only a pipeline has (this checkout's and the baseline's), one column per pipeline. */
function pipelineRows(pipelines: readonly PipelineSpread[]): Row[] {
  const row = (name: string, pick: (p: PipelineSpread) => Spread | undefined): Row => [name, ...pipelines.map(pick)];
  return [
    row('commits per Task', (p) => p.commitsPerTask),
    row('bytes per Task', (p) => p.bytesPerTask),
    ...STAGES.map((stage) => row(`stage p50 ms, light: ${stage}`, (p) => p.stagesLightP50[stage])),
    ...STAGES.map((stage) => row(`stage p50 ms, saturation: ${stage}`, (p) => p.stagesSaturationP50[stage])),
    row('projection lag p50 ms, light probe', (p) => p.probeLagP50),
    row('projection lag p99 ms, light probe', (p) => p.probeLagP99),
    row('projection lag p50 ms, half rate', (p) => p.halfRateLagP50),
    row('projection lag p99 ms, half rate', (p) => p.halfRateLagP99),
    row('projection lag p50 ms, saturation checkpoint', (p) => p.checkpointLagP50),
    row('projection lag p99 ms, saturation checkpoint', (p) => p.checkpointLagP99),
    row('backlog peak: dispatcher pending', (p) => p.backlogPeak.dispatcherPending),
    row('backlog peak: dispatcher ack pending', (p) => p.backlogPeak.dispatcherAckPending),
    row('backlog peak: jobs pending', (p) => p.backlogPeak.jobsPending),
    row('backlog peak: jobs ack pending', (p) => p.backlogPeak.jobsAckPending),
  ];
}

const texts = (rows: readonly Row[]) => rows.map(([name, ...spreads]) => [name, ...spreads.map(spreadText)]);

export function formatSummary(summary: CompareSummary): string {
  const { baseline, checkouts } = summary;
  const baselineColumn = baseline ? [baselineName(checkouts.baseline?.label)] : [];
  const pipelines = baseline ? [summary.pipeline, baseline] : [summary.pipeline];
  return [
    `summary over ${summary.rounds} round${summary.rounds === 1 ? '' : 's'}: median (min–max)`,
    table(['figure', 'BullMQ FlowProducer', 'pipeline', ...baselineColumn], texts(peerRows([summary.bullmq, ...pipelines]))),
    `ratio pipeline / BullMQ Tasks/s (per round): ${spreadText(summary.ratio)}`,
    ...(baseline ? [`ratio pipeline / ${baselineColumn[0]} Tasks/s (per round): ${spreadText(summary.baselineRatio)}`] : []),
    '',
    table(['pipeline only', baseline ? 'pipeline' : 'median (min–max)', ...baselineColumn], texts(pipelineRows(pipelines))),
    ...(summary.beforeAfter ? ['', formatBeforeAfter(summary.beforeAfter, checkouts.baseline?.label ?? 'baseline', `this checkout (${checkouts.pipeline?.label ?? '?'})`)] : []),
    '',
    formatTargets(compareTargets(summary)),
    summary.ok ? 'every Task and flow completed, nothing was refused' : 'PROBLEMS in some rounds: see the rounds above',
  ].join('\n');
}
