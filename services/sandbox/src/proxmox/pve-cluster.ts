// The simulated Proxmox VE cluster: a state machine in plain TypeScript over an injectable clock. The
// HTTP adapter (pve-api.ts) turns requests into these calls; the control API reads and resets it.

import { cloneVm, type CloneVm } from './clone-vm.js';
import { DEFAULT_TIMINGS, loadConfig, nodeOf, type ClusterContext, type CommandMeta, type TaskTimings } from './cluster-context.js';
import type { Clock } from './clock.js';
import { destroyVm } from './destroy-vm.js';
import { FileLocks } from './file-locks.js';
import { Ledger, type LedgerView } from './ledger.js';
import { migrateVm, type MigrateVm } from './migrate-vm.js';
import { died, paramError } from './pve-error.js';
import type { PveNode, PveVm } from './pve-model.js';
import { TaskRegistry } from './pve-tasks.js';
import { nodeRow, nodeStatus, PVE_VERSION, resourceStorageRows, resourceVmRow, taskStatus, vmConfig, vmCurrentStatus, vmStatusRow } from './pve-views.js';
import { SEED_NODES, SEED_POOLS, SEED_STORAGES, seedVms } from './seed.js';
import { resetVm, startVm, stopVm, type VmRef } from './vm-power.js';

export interface VmStateRow {
  readonly vmid: number;
  readonly name: string;
  readonly node: string;
  readonly status: PveVm['status'];
  readonly lock: string | null;
  readonly template: boolean;
  readonly pool: string | null;
  readonly sourceVmid: number | null;
  readonly storage: string;
}

// Nodes booted a while before the simulator started: uptimes and pstart values look real.
const BOOTED_BEFORE_MS = 3 * 24 * 3600 * 1000;

export class PveCluster {
  private readonly ctx: ClusterContext;

  constructor(clock: Clock, timings: Partial<TaskTimings> = {}) {
    this.ctx = {
      clock,
      nodes: new Map(),
      storages: new Map(),
      vms: new Map(),
      pools: new Map(),
      tasks: new TaskRegistry(clock),
      locks: new FileLocks(clock),
      ledger: new Ledger(),
      starting: new Set(),
      timings: { ...DEFAULT_TIMINGS, ...timings },
    };
    this.restoreSeed();
  }

  /** Back to the seed: nodes, storages, pools and templates; no tasks, locks or ledger entries. */
  restoreSeed(timings: Partial<TaskTimings> = {}): void {
    const { ctx } = this;
    const bootedAt = ctx.clock.now() - BOOTED_BEFORE_MS;
    ctx.locks.clear();
    ctx.tasks.clear();
    ctx.ledger.clear();
    ctx.starting.clear();
    ctx.nodes.clear();
    for (const node of SEED_NODES) ctx.nodes.set(node.name, { ...node, bootedAt });
    ctx.storages.clear();
    for (const storage of SEED_STORAGES) ctx.storages.set(storage.id, { ...storage });
    ctx.pools.clear();
    for (const pool of SEED_POOLS) ctx.pools.set(pool.poolid, { ...pool });
    ctx.vms.clear();
    for (const vm of seedVms()) ctx.vms.set(vm.vmid, vm);
    ctx.timings = { ...DEFAULT_TIMINGS, ...timings };
  }

  // Writes: each returns the UPID or throws a PveError that the POST itself answers with.
  clone(command: CloneVm, meta: CommandMeta): string {
    return cloneVm(this.ctx, command, meta);
  }
  destroy(ref: VmRef, meta: CommandMeta): string {
    return destroyVm(this.ctx, ref, meta);
  }
  start(ref: VmRef, meta: CommandMeta): string {
    return startVm(this.ctx, ref, meta);
  }
  stop(ref: VmRef, meta: CommandMeta): string {
    return stopVm(this.ctx, ref, meta, 'qmstop');
  }
  shutdown(ref: VmRef, meta: CommandMeta): string {
    return stopVm(this.ctx, ref, meta, 'qmshutdown');
  }
  resetVm(ref: VmRef, meta: CommandMeta): string {
    return resetVm(this.ctx, ref, meta);
  }
  migrate(command: MigrateVm, meta: CommandMeta): string {
    return migrateVm(this.ctx, command, meta);
  }

  // Reads, as the API returns them.
  version(): Record<string, unknown> {
    return { ...PVE_VERSION, console: 'html5' };
  }
  nodes(): Record<string, unknown>[] {
    return [...this.ctx.nodes.values()].map((node) => {
      const { id: _id, type: _type, ...row } = nodeRow(this.ctx, node);
      return row;
    });
  }
  node(name: string): PveNode | undefined {
    return this.ctx.nodes.get(name);
  }
  nodeStatus(name: string): Record<string, unknown> {
    return nodeStatus(this.ctx, nodeOf(this.ctx, name));
  }
  vmList(node: string): Record<string, unknown>[] {
    return [...this.ctx.vms.values()].filter((vm) => vm.node === node).map((vm) => vmStatusRow(this.ctx, vm));
  }
  vmConfig(ref: VmRef): Record<string, unknown> {
    return vmConfig(loadConfig(this.ctx, ref.node, ref.vmid));
  }
  vmStatus(ref: VmRef): Record<string, unknown> {
    return vmCurrentStatus(this.ctx, loadConfig(this.ctx, ref.node, ref.vmid));
  }
  /** Tasks.pm read_task_status: the task log lives on the node that ran it. */
  taskStatus(node: string, upid: string): Record<string, unknown> {
    const task = this.ctx.tasks.get(upid);
    if (!task || task.info.node !== node) throw paramError({ upid: 'no such task' });
    return taskStatus(task);
  }
  /** pve-manager PVE/API2/Cluster.pm nextid: reserves nothing; the number comes back as a string. */
  nextId(vmid?: number): string {
    if (vmid !== undefined) {
      if (this.ctx.vms.has(vmid)) throw paramError({ vmid: `VM ${vmid} already exists` });
      return String(vmid);
    }
    for (let id = 100; id < 1_000_000; id++) if (!this.ctx.vms.has(id)) return String(id);
    throw died('unable to get any free VMID in range [100, 1000000]');
  }
  resources(type?: string): Record<string, unknown>[] {
    const vms = () => [...this.ctx.vms.values()].sort((a, b) => a.vmid - b.vmid).map((vm) => resourceVmRow(this.ctx, vm));
    const nodes = () => [...this.ctx.nodes.values()].map((node) => nodeRow(this.ctx, node));
    const pools = () => [...this.ctx.pools.values()].map((pool) => ({ id: `/pool/${pool.poolid}`, type: 'pool', pool: pool.poolid }));
    switch (type) {
      case 'vm':
        return vms();
      case 'node':
        return nodes();
      case 'storage':
        return resourceStorageRows(this.ctx);
      case 'sdn':
        return [];
      default:
        return [...vms(), ...nodes(), ...resourceStorageRows(this.ctx), ...pools()];
    }
  }

  // Control API.
  state(): { vms: VmStateRow[]; nodes: Record<string, unknown>[]; pools: string[]; timings: TaskTimings } {
    const vms = [...this.ctx.vms.values()]
      .sort((a, b) => a.vmid - b.vmid)
      .map((vm) => ({
        vmid: vm.vmid,
        name: vm.name,
        node: vm.node,
        status: vm.status,
        lock: vm.lock ?? null,
        template: vm.template,
        pool: vm.pool ?? null,
        sourceVmid: vm.sourceVmid ?? null,
        storage: vm.disk.storage,
      }));
    return { vms, nodes: this.nodes(), pools: [...this.ctx.pools.keys()], timings: this.ctx.timings };
  }
  ledger(): LedgerView {
    return this.ctx.ledger.view();
  }
  setTimings(timings: Partial<TaskTimings>): TaskTimings {
    this.ctx.timings = { ...this.ctx.timings, ...timings };
    return this.ctx.timings;
  }
  addVm(vm: PveVm): void {
    if (this.ctx.vms.has(vm.vmid)) throw new Error(`VM ${vm.vmid} already exists`);
    if (!this.ctx.nodes.has(vm.node)) throw new Error(`no such node '${vm.node}'`);
    if (!this.ctx.storages.has(vm.disk.storage)) throw new Error(`no such storage '${vm.disk.storage}'`);
    if (vm.pool !== undefined && !this.ctx.pools.has(vm.pool)) this.ctx.pools.set(vm.pool, { poolid: vm.pool });
    this.ctx.vms.set(vm.vmid, vm);
  }
  addPool(poolid: string): void {
    this.ctx.pools.set(poolid, { poolid });
  }
  setNode(name: string, changes: { status?: PveNode['status']; maxmem?: number; maxcpu?: number }): void {
    const node = this.ctx.nodes.get(name);
    if (!node) throw new Error(`no such node '${name}'`);
    Object.assign(node, Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)));
  }
  setStorageCapacity(id: string, capacity: number): void {
    const storage = this.ctx.storages.get(id);
    if (!storage) throw new Error(`no such storage '${id}'`);
    storage.capacity = capacity;
  }
  storageIds(): string[] {
    return [...this.ctx.storages.keys()];
  }
}
