// The task list of each node (pve-manager PVE/API2/Tasks.pm read_task_status): a task is `running`
// from the moment its UPID is returned until it stops with an exit status, "OK" or the error text.

import type { Clock } from './clock.js';
import type { PveUpid } from '@vle/integrations';
import { encodeUpid } from './upid.js';

export type TaskType = 'qmclone' | 'qmdestroy' | 'qmstart' | 'qmstop' | 'qmshutdown' | 'qmreset' | 'qmigrate';

export interface PveTask {
  readonly upid: string;
  readonly info: PveUpid;
  status: 'running' | 'stopped';
  exitstatus?: string;
  endedAt?: number;
}

// pveproxy/pvedaemon worker pids on a freshly booted node are in this range.
const FIRST_PID = 0x3a000;

export class TaskRegistry {
  private readonly tasks = new Map<string, PveTask>();
  private readonly nextPid = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  start(node: { name: string; bootedAt: number }, type: TaskType, id: string, user: string): PveTask {
    const pid = this.nextPid.get(node.name) ?? FIRST_PID;
    this.nextPid.set(node.name, pid + 1 + (pid % 7));
    const now = this.clock.now();
    const info: PveUpid = {
      node: node.name,
      pid,
      // pstart is the worker's start time in clock ticks (100 Hz) since the node booted.
      pstart: Math.floor((now - node.bootedAt) / 10),
      starttime: Math.floor(now / 1000),
      type,
      id,
      user,
    };
    const task: PveTask = { upid: encodeUpid(info), info, status: 'running' };
    this.tasks.set(task.upid, task);
    return task;
  }

  finish(task: PveTask, exitstatus: string): void {
    if (task.status === 'stopped') return;
    task.status = 'stopped';
    task.exitstatus = exitstatus;
    task.endedAt = this.clock.now();
  }

  get(upid: string): PveTask | undefined {
    return this.tasks.get(upid);
  }

  list(): PveTask[] {
    return [...this.tasks.values()];
  }

  clear(): void {
    this.tasks.clear();
    this.nextPid.clear();
  }
}
