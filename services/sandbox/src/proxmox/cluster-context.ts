// What every command of the simulated cluster works on, and the checks qemu-server repeats in many
// handlers (PVE::AbstractConfig load_config/check_lock, PVE::QemuConfig assert_config_exists_on_node).

import type { Clock } from './clock.js';
import type { FileLocks } from './file-locks.js';
import type { Ledger } from './ledger.js';
import { died, PveError } from './pve-error.js';
import type { PveNode, PvePool, PveStorage, PveVm } from './pve-model.js';
import type { TaskRegistry, TaskType } from './pve-tasks.js';

/** How long each task type runs, and how long a task waits for a VM's lock file. */
export interface TaskTimings {
  readonly qmclone: number;
  readonly qmdestroy: number;
  readonly qmstart: number;
  readonly qmstop: number;
  readonly qmshutdown: number;
  readonly qmreset: number;
  readonly qmigrate: number;
  /** AbstractConfig lock_config waits 10 s for the lock file. */
  readonly lockWaitMs: number;
  /** clone_vm takes the target's (and source's) lock file with a 1 s timeout. */
  readonly cloneLockWaitMs: number;
}

export const DEFAULT_TIMINGS: TaskTimings = {
  qmclone: 300,
  qmdestroy: 100,
  qmstart: 100,
  qmstop: 100,
  qmshutdown: 100,
  qmreset: 100,
  qmigrate: 100,
  lockWaitMs: 10_000,
  cloneLockWaitMs: 1_000,
};

export interface ClusterContext {
  readonly clock: Clock;
  readonly nodes: Map<string, PveNode>;
  readonly storages: Map<string, PveStorage>;
  readonly vms: Map<number, PveVm>;
  readonly pools: Map<string, PvePool>;
  readonly tasks: TaskRegistry;
  readonly locks: FileLocks;
  readonly ledger: Ledger;
  /** VMs whose start task passed its checks: their memory counts as used until the task ends. */
  readonly starting: Set<number>;
  timings: TaskTimings;
}

/** A write command as the API hands it over: who asks, and a failure the fault layer decided on. */
export interface CommandMeta {
  /** `user@realm!tokenid`, the UPID's user field. */
  readonly user: string;
  /** When set, the task ends with this exit status instead of doing its work. */
  readonly injectedFailure?: string;
}

export const configPath = (node: string, vmid: number): string => `nodes/${node}/qemu-server/${vmid}.conf`;

/** PVE::AbstractConfig load_config: the VM's config must be on this node. */
export function loadConfig(ctx: ClusterContext, node: string, vmid: number): PveVm {
  const vm = ctx.vms.get(vmid);
  if (!vm || vm.node !== node) throw died(`Configuration file '${configPath(node, vmid)}' does not exist`);
  return vm;
}

/** PVE::QemuConfig assert_config_exists_on_node, which check_running calls first. */
export function assertConfigOnNode(ctx: ClusterContext, node: string, vmid: number): PveVm {
  const vm = ctx.vms.get(vmid);
  if (!vm || vm.node !== node) throw died(`unable to find configuration file for VM ${vmid} on node '${node}'`);
  return vm;
}

/** PVE::AbstractConfig check_lock. */
export function checkLock(vm: PveVm): void {
  if (vm.lock) throw died(`VM is locked (${vm.lock})`);
}

export function nodeOf(ctx: ClusterContext, name: string): PveNode {
  const node = ctx.nodes.get(name);
  if (!node) throw died(`no such cluster node '${name}'`);
  return node;
}

/** The exit status a failed task shows: the error's text without the trailing newline. */
export function exitTextOf(error: unknown): string {
  if (error instanceof PveError) return error.text.trimEnd();
  return error instanceof Error ? error.message : String(error);
}

export type { TaskType };
