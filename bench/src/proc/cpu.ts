// CPU time from /proc (Linux): utime + stime of every process that does the work, read before and
// after a phase, so that "CPU per Task" sums every process that a Task costs (the services, the
// servers, the bench itself) and the share of the machine that went to anything else is visible.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { round } from '../stats/summary.js';

/** A named set of processes whose CPU is added up (one service's replicas, postgres' backends). */
export interface ProcessGroup {
  readonly name: string;
  /** Resolved at every snapshot: processes may start during a phase (a postgres backend). */
  pids(): readonly number[];
}

export interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

export interface CpuSnapshot {
  readonly at: number;
  readonly seconds: ReadonlyMap<string, ReadonlyMap<number, number>>;
  readonly machine?: MachineTicks;
}

export interface CpuUsage {
  readonly wallS: number;
  /** CPU seconds per group over the interval. */
  readonly seconds: Readonly<Record<string, number>>;
  readonly totalS: number;
  /** Share of the whole machine that was busy (0..1). */
  readonly machineBusy?: number;
  /** CPU seconds the machine spent on processes outside the groups (other jobs on a shared host). */
  readonly otherProcessesS?: number;
}

export interface CpuPerUnit {
  readonly ms: Readonly<Record<string, number>>;
  readonly totalMs: number;
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** utime + stime (clock ticks) of a /proc/<pid>/stat line; the name in parentheses may hold spaces. */
export function statTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5), counted from the state (field 3) onwards.
  return Number(fields[11]) + Number(fields[12]);
}

/** Busy and total jiffies of the machine from the first line of /proc/stat. */
export function machineTicksOf(procStat: string): MachineTicks {
  const ticks = procStat.split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** CPU seconds of a process so far, or undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  try {
    return statTicks(readFileSync(`/proc/${pid}/stat`, 'utf8')) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

function machineTicks(): MachineTicks | undefined {
  try {
    return machineTicksOf(readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

export function cpuSnapshot(groups: readonly ProcessGroup[]): CpuSnapshot {
  const seconds = new Map<string, Map<number, number>>();
  for (const group of groups) {
    const perPid = new Map<number, number>();
    for (const pid of group.pids()) {
      const s = cpuSecondsOf(pid);
      if (s !== undefined) perPid.set(pid, s);
    }
    seconds.set(group.name, perPid);
  }
  return { at: performance.now(), seconds, machine: machineTicks() };
}

/**
 * What each group used between two snapshots. A process that appeared in between counts from zero
 * (it started during the interval); one that is gone by `after` is lost, which the bench avoids by
 * taking `after` before it stops anything.
 */
export function cpuUsage(before: CpuSnapshot, after: CpuSnapshot, cores = cpus().length): CpuUsage {
  const seconds: Record<string, number> = {};
  let totalS = 0;
  for (const [name, perPid] of after.seconds) {
    const start = before.seconds.get(name);
    let used = 0;
    for (const [pid, s] of perPid) used += s - (start?.get(pid) ?? 0);
    seconds[name] = round(used, 3);
    totalS += used;
  }
  const wallS = (after.at - before.at) / 1000;
  const m0 = before.machine;
  const m1 = after.machine;
  const machineBusy = m0 && m1 && m1.total > m0.total ? (m1.busy - m0.busy) / (m1.total - m0.total) : undefined;
  const otherProcessesS = machineBusy === undefined ? undefined : Math.max(0, machineBusy * cores * wallS - totalS);
  return {
    wallS: round(wallS, 3),
    seconds,
    totalS: round(totalS, 3),
    machineBusy: machineBusy === undefined ? undefined : round(machineBusy, 2),
    otherProcessesS: otherProcessesS === undefined ? undefined : round(otherProcessesS, 2),
  };
}

/** CPU ms per unit of work (a Task, a SubTask), per group and summed. */
export function cpuPer(usage: CpuUsage, units: number): CpuPerUnit {
  const per = (s: number) => round((s * 1000) / Math.max(1, units), 3);
  return { ms: Object.fromEntries(Object.entries(usage.seconds).map(([name, s]) => [name, per(s)])), totalMs: per(usage.totalS) };
}
