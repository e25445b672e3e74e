// The readable report of `compare`: each round as it ends, then the summary over the rounds.

import { STAGES } from '../pipeline/stages.js';
import type { Spread } from '../stats/summary.js';
import type { CompareRound, CompareSummary, PeerSpread } from './compare-summary.js';
import { num, spreadText } from './format.js';
import { peerDetails, peerTable } from './peer-report.js';
import { table } from './table.js';
import { compareTargets, formatTargets } from './targets.js';

export function formatRound(round: CompareRound, of: number): string {
  const peers = round.order.map((name) => round[name]);
  return [
    `round ${round.round} of ${of} (${round.order.join(' first, then ')})`,
    peerTable(peers),
    `  ratio pipeline / BullMQ Tasks/s: ${num(round.ratio)}`,
    ...peers.flatMap(peerDetails),
  ].join('\n');
}

type Row = [string, Spread | undefined, Spread | undefined];

function peerRows(b: PeerSpread, p: PeerSpread): Row[] {
  const rows: Row[] = [
    ['Tasks/s', b.tasksPerS, p.tasksPerS],
    ['SubTasks/s', b.subtasksPerS, p.subtasksPerS],
    ['light success p50 ms', b.lightP50, p.lightP50],
    ['light success p99 ms', b.lightP99, p.lightP99],
    ['saturation success p50 ms', b.saturationP50, p.saturationP50],
    ['saturation success p99 ms', b.saturationP99, p.saturationP99],
    ['CPU ms/Task, all processes', b.cpuMsPerTask, p.cpuMsPerTask],
  ];
  const processes = [...new Set([...Object.keys(b.cpuMsPerTaskByProcess), ...Object.keys(p.cpuMsPerTaskByProcess)])];
  for (const name of processes) rows.push([`  CPU ms/Task, ${name}`, b.cpuMsPerTaskByProcess[name], p.cpuMsPerTaskByProcess[name]]);
  const labels = [...new Set([...Object.keys(b.idleMiB), ...Object.keys(p.idleMiB)])];
  for (const label of labels) {
    rows.push([`RSS MiB idle, ${label}`, b.idleMiB[label], p.idleMiB[label]]);
    rows.push([`RSS MiB peak, ${label}`, b.peakMiB[label], p.peakMiB[label]]);
  }
  return rows;
}

export function formatSummary(summary: CompareSummary): string {
  const p = summary.pipeline;
  const pipelineOnly: [string, Spread | undefined][] = [
    ['commits per Task', p.commitsPerTask],
    ['bytes per Task', p.bytesPerTask],
    ...STAGES.map((stage): [string, Spread | undefined] => [`stage p50 ms, light: ${stage}`, p.stagesLightP50[stage]]),
    ...STAGES.map((stage): [string, Spread | undefined] => [`stage p50 ms, saturation: ${stage}`, p.stagesSaturationP50[stage]]),
    ['projection lag p50 ms, light probe', p.probeLagP50],
    ['projection lag p99 ms, light probe', p.probeLagP99],
    ['projection lag p50 ms, half rate', p.halfRateLagP50],
    ['projection lag p99 ms, half rate', p.halfRateLagP99],
    ['projection lag p50 ms, saturation checkpoint', p.checkpointLagP50],
    ['projection lag p99 ms, saturation checkpoint', p.checkpointLagP99],
    ['backlog peak: dispatcher pending', p.backlogPeak.dispatcherPending],
    ['backlog peak: dispatcher ack pending', p.backlogPeak.dispatcherAckPending],
    ['backlog peak: jobs pending', p.backlogPeak.jobsPending],
    ['backlog peak: jobs ack pending', p.backlogPeak.jobsAckPending],
  ];
  return [
    `summary over ${summary.rounds} round${summary.rounds === 1 ? '' : 's'}: median (min–max)`,
    table(['figure', 'BullMQ FlowProducer', 'pipeline'], peerRows(summary.bullmq, p).map(([name, b, q]) => [name, spreadText(b), spreadText(q)])),
    `ratio pipeline / BullMQ Tasks/s (per round): ${spreadText(summary.ratio)}`,
    '',
    table(['pipeline only', 'median (min–max)'], pipelineOnly.map(([name, s]) => [name, spreadText(s)])),
    '',
    formatTargets(compareTargets(summary)),
    summary.ok ? 'every Task and flow completed, nothing was refused' : 'PROBLEMS in some rounds: see the rounds above',
  ].join('\n');
}
