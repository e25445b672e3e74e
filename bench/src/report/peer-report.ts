// The readable report of one peer's phase (the `pipeline` and `bullmq` commands, and every round of
// `compare`).

import type { CpuUsage } from '../proc/cpu.js';
import type { MemoryFigures } from '../proc/memory-watch.js';
import type { BullmqResult } from '../bullmq/bullmq-phase.js';
import type { PipelineResult } from '../pipeline/pipeline-result.js';
import { STAGES, type Stage } from '../pipeline/stages.js';
import type { Summary } from '../stats/summary.js';
import { num, p50p99, pairs } from './format.js';
import { table } from './table.js';
import type { PeerResult } from '../load/figures.js';

/** The peer's name in a table: the baseline with its checkout's label. */
const nameOf = (r: PeerResult) => (r.peer === 'baseline' ? `baseline ${(r as PipelineResult).checkout.label}` : r.peer);

export function peerTable(results: readonly PeerResult[]): string {
  return table(
    ['peer', 'Tasks/s', 'SubTasks/s', 'light p50 / p99 ms', 'saturation p50 / p99 ms', 'reply p50 / p99 ms', 'CPU ms/Task', 'ok'],
    results.map((r) => [nameOf(r), r.saturation.tasksPerS, r.saturation.subtasksPerS, p50p99(r.light?.latencyMs), p50p99(r.saturation.latencyMs), p50p99(r.saturation.replyMs), num(r.saturation.cpuPerTask.totalMs), r.ok ? 'yes' : 'NO']),
  );
}

function cpuLine(cpu: CpuUsage): string {
  return `machine busy ${Math.round((cpu.machineBusy ?? 0) * 100)}%, other processes ${num(cpu.otherProcessesS)} CPU-s`;
}

export function memoryLine(memory: Readonly<Record<string, MemoryFigures>>): string {
  return Object.entries(memory)
    .map(([label, m]) => `${label} ${num(m.idleMiB)} → ${num(m.peakMiB)}${m.peakOver === 'process' ? ' (lifetime peak)' : ''}`)
    .join(', ');
}

const stages = (s: Readonly<Record<Stage, Summary>>) => STAGES.map((k) => `${k} ${num(s[k].p50)}`).join(', ');

/** The lines under the peer table that only one peer has. */
export function peerDetails(r: PeerResult): string[] {
  const s = r.saturation;
  const lines = [`  ${r.peer}: CPU ms per Task (${num(s.cpu.wallS)} s of saturation; ${cpuLine(s.cpu)}): ${pairs(s.cpuPerTask.ms)}`];
  lines.push(`  ${r.peer}: RSS MiB idle → peak: ${memoryLine(r.memory)}`);
  if (r.peer === 'bullmq') lines.push(...bullmqDetails(r as BullmqResult));
  else lines.push(...pipelineDetails(r as PipelineResult));
  for (const problem of r.problems) lines.push(`  ${r.peer}: PROBLEM: ${problem}`);
  return lines;
}

function pipelineDetails(r: PipelineResult): string[] {
  const s = r.saturation;
  const p = s.projection;
  const b = s.backlogPeak;
  const lines = [
    `  ${r.peer}: services of ${r.checkout.root} (${r.checkout.label})`,
    `  ${r.peer}: ${num(s.commitsPerTask)} commits and ${num(s.bytesPerTask)} bytes per Task, ${num(s.commitsPerS)} commits/s; creates answered ${num(s.commandsPerS)}/s`,
  ];
  if (r.light) lines.push(`  ${r.peer}: p50 ms per stage, light: ${stages(r.light.stagesMs)}`);
  lines.push(`  ${r.peer}: p50 ms per stage, saturation: ${stages(s.stagesMs)}`);
  if (r.projectionProbe) lines.push(`  ${r.peer}: projection lag, light load (query API): p50 / p99 ${p50p99(r.projectionProbe.lagMs)} ms`);
  if (r.halfRate) lines.push(`  ${r.peer}: projection lag at half the saturation rate (one Task every ${num(r.halfRate.intervalMs)} ms): p50 / p99 ${p50p99(r.halfRate.lagMs)} ms; success p50 / p99 ${p50p99(r.halfRate.latencyMs)} ms`);
  lines.push(`  ${r.peer}: projection lag, saturation (checkpoint every ~20 ms): p50 / p99 ${p50p99(p.checkpointLagMs)} ms; seq gap p50 / p99 / max ${num(p.seqGap.p50)} / ${num(p.seqGap.p99)} / ${num(p.seqGap.max)}; caught up ${num(p.caughtUpAfterLastSuccessMs)} ms after the last success`);
  lines.push(b ? `  ${r.peer}: backlog peak: ${b.dispatcherPending === undefined ? '' : `dispatcher pending ${b.dispatcherPending} (ack pending ${b.dispatcherAckPending}), `}jobs pending ${b.jobsPending} (ack pending ${b.jobsAckPending})` : `  ${r.peer}: backlog peak: - (no sample of the consumers was answered)`);
  if (r.light) lines.push(`  ${r.peer}: CPU ms per Task at light load (${cpuLine(r.light.cpu)}): ${num(r.light.cpu.totalS * 1000 / Math.max(1, r.light.tasks))}`);
  if (s.census) {
    lines.push(`  ${r.peer}: NATS messages per Task (census; includes the projection's catch-up): ${pairs(s.census.perTask)}`);
    lines.push(`  ${r.peer}: mean pull batch requested: events ${s.census.meanPullBatch.events}, jobs ${s.census.meanPullBatch.jobs}; event acks by consumer ${JSON.stringify(s.census.eventAcksByConsumer)}`);
  }
  const c = r.counters;
  lines.push(`  ${r.peer}: read model ${r.readModel.successInReadModel}/${r.readModel.successOnLog} Tasks success ${r.readModel.ok ? 'OK' : 'MISMATCH'}; attempt failures ${c.attemptFailures}, failed Tasks ${c.failedTasks}, refused creates ${c.refused}`);
  if (r.jobRepair) lines.push(`  ${r.peer}: job repair: ${r.jobRepair.repaired} jobs found missing and published, ${r.jobRepair.confirmed} published again that JOBS had`);
  if (r.profiles) lines.push(`  ${r.peer}: CPU profiles in ${r.profiles}`);
  return lines;
}

function bullmqDetails(r: BullmqResult): string[] {
  return [`  bullmq: queue ${r.queue}, worker concurrency ${r.workerConcurrency}, redis ${r.redisServer ?? '?'}; ${r.completedJobs} jobs completed; flow adds answered ${num(r.saturation.commandsPerS)}/s`];
}

export function formatPeerRun(r: PeerResult): string {
  return [peerTable([r]), ...peerDetails(r)].join('\n');
}
