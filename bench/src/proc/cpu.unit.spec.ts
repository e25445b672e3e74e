import { describe, expect, it } from 'vitest';
import { cpuPer, cpuUsage, machineTicksOf, statTicks, type CpuSnapshot } from './cpu.js';

// /proc/<pid>/stat of a process whose name holds a space and a parenthesis.
const STAT = '4242 (node (main) x) S 4000 4242 4000 0 -1 4194560 8000 0 0 0 1234 567 0 0 20 0 11 0 900 1100000000 30000 18446744073709551615';

describe('/proc/<pid>/stat', () => {
  it('gives utime + stime after the name, whatever the name holds', () => {
    expect(statTicks(STAT)).toBe(1234 + 567);
  });
});

describe('/proc/stat', () => {
  it('gives the busy and total jiffies of the machine (idle and iowait are not busy)', () => {
    expect(machineTicksOf('cpu  100 5 50 800 40 0 5 0 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n')).toEqual({ busy: 160, total: 1000 });
  });
});

describe('cpuUsage', () => {
  const snapshot = (at: number, groups: Record<string, Record<number, number>>, busy: number, total: number): CpuSnapshot => ({
    at,
    seconds: new Map(Object.entries(groups).map(([name, pids]) => [name, new Map(Object.entries(pids).map(([pid, s]) => [Number(pid), s]))])),
    machine: { busy, total },
  });

  it('adds up each group over its processes, counting a process that appeared in between from zero', () => {
    const before = snapshot(0, { 'task-api': { 1: 10 }, postgres: { 2: 5 } }, 0, 0);
    const after = snapshot(2_000, { 'task-api': { 1: 11.5 }, postgres: { 2: 5.25, 3: 0.25 } }, 300, 400);
    const usage = cpuUsage(before, after, 2);
    expect(usage).toEqual({ wallS: 2, seconds: { 'task-api': 1.5, postgres: 0.5 }, totalS: 2, machineBusy: 0.75, otherProcessesS: 1 });
    expect(cpuPer(usage, 1000)).toEqual({ ms: { 'task-api': 1.5, postgres: 0.5 }, totalMs: 2 });
  });
});
