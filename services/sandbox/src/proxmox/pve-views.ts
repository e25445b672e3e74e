// The `data` of the read endpoints, in the shapes of the schema's `returns` (pve-api-9.1.3.json):
// optional fields are left out rather than null, booleans are 0/1, sizes are bytes.

import { cpuLoad, memoryUsed, storageUsed } from './capacity.js';
import type { ClusterContext } from './cluster-context.js';
import { GIB, MIB, type PveNode, type PveVm } from './pve-model.js';
import type { PveTask } from './pve-tasks.js';

export const PVE_VERSION = { release: '9.1', version: '9.1.3', repoid: 'b1f5c4f2e7a19d3c' } as const;

const seconds = (ms: number): number => Math.max(0, Math.floor(ms / 1000));

export function nodeRow(ctx: ClusterContext, node: PveNode): Record<string, unknown> {
  if (node.status !== 'online') return { node: node.name, status: node.status, id: `node/${node.name}`, type: 'node' };
  return {
    id: `node/${node.name}`,
    type: 'node',
    node: node.name,
    status: 'online',
    cpu: cpuLoad(ctx, node),
    maxcpu: node.maxcpu,
    mem: memoryUsed(ctx, node),
    maxmem: node.maxmem,
    uptime: seconds(ctx.clock.now() - node.bootedAt),
    level: '',
    ssl_fingerprint: fingerprintOf(node.name),
  };
}

export function nodeStatus(ctx: ClusterContext, node: PveNode): Record<string, unknown> {
  const used = memoryUsed(ctx, node);
  const load = cpuLoad(ctx, node) * node.maxcpu;
  return {
    cpu: cpuLoad(ctx, node),
    cpuinfo: { cores: node.maxcpu / 2, cpus: node.maxcpu, model: 'AMD EPYC 7313P 16-Core Processor', sockets: 1 },
    memory: { total: node.maxmem, used, free: node.maxmem - used, available: node.maxmem - used },
    loadavg: [load, load, load].map((l) => l.toFixed(2)),
    rootfs: { total: 96 * GIB, used: 12 * GIB, free: 84 * GIB, avail: 79 * GIB },
    uptime: seconds(ctx.clock.now() - node.bootedAt),
    pveversion: `pve-manager/${PVE_VERSION.version}/${PVE_VERSION.repoid}`,
    kversion: 'Linux 6.17.2-1-pve #1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1 (2025-11-20T09:40Z)',
    'current-kernel': { sysname: 'Linux', release: '6.17.2-1-pve', version: '#1 SMP PREEMPT_DYNAMIC PMX 6.17.2-1', machine: 'x86_64' },
    'boot-info': { mode: 'efi', secureboot: 0 },
  };
}

/** One VM as vmstatus (QemuServer.pm) reports it: `template` and `lock` only when set. */
export function vmStatusRow(ctx: ClusterContext, vm: PveVm): Record<string, unknown> {
  const running = vm.status === 'running';
  const row: Record<string, unknown> = {
    vmid: vm.vmid,
    // QemuServer.pm vmstatus: `$conf->{name} || "VM $vmid"`; a clone's placeholder config has no name.
    name: vm.placeholder ? `VM ${vm.vmid}` : vm.name,
    status: vm.status,
    cpus: vm.cores,
    cpu: running ? 0.02 : 0,
    maxmem: vm.memory * MIB,
    mem: running ? Math.floor((vm.memory * MIB) / 2) : 0,
    maxdisk: vm.disk.size,
    disk: 0,
    uptime: running && vm.startedAt !== undefined ? seconds(ctx.clock.now() - vm.startedAt) : 0,
    netin: 0,
    netout: 0,
    diskread: 0,
    diskwrite: 0,
  };
  if (running) row.pid = 100_000 + vm.vmid;
  if (vm.template) row.template = 1;
  if (vm.lock) row.lock = vm.lock;
  return row;
}

export function vmCurrentStatus(ctx: ClusterContext, vm: PveVm): Record<string, unknown> {
  const running = vm.status === 'running';
  const status: Record<string, unknown> = { ...vmStatusRow(ctx, vm), qmpstatus: vm.status, ha: { managed: 0 }, agent: 1 };
  if (running) {
    status['running-machine'] = 'pc-q35-10.1+pve0';
    status['running-qemu'] = '10.1.2';
  }
  return status;
}

/** The placeholder clone_vm writes before it copies: parse_vm_config makes the comment the description. */
export const CLONE_PLACEHOLDER_DESCRIPTION = ' qmclone temporary file\n';

export function vmConfig(vm: PveVm): Record<string, unknown> {
  if (vm.placeholder) return { description: CLONE_PLACEHOLDER_DESCRIPTION, lock: vm.lock ?? 'clone', digest: digestOf(vm) };
  const config: Record<string, unknown> = {
    name: vm.name,
    cores: vm.cores,
    sockets: 1,
    memory: String(vm.memory),
    ostype: 'l26',
    machine: 'q35',
    agent: '1',
    boot: 'order=scsi0;net0',
    scsihw: 'virtio-scsi-single',
    scsi0: `${vm.disk.storage}:${vm.disk.volume},iothread=1,size=${Math.round(vm.disk.size / GIB)}G`,
    net0: `virtio=${vm.mac},bridge=vmbr0,firewall=1`,
    smbios1: `uuid=${uuidOf(vm.vmid)}`,
    vmgenid: uuidOf(vm.vmid + 1_000_000_000),
    digest: digestOf(vm),
  };
  if (vm.description !== undefined) config.description = vm.description;
  if (vm.template) config.template = 1;
  if (vm.lock) config.lock = vm.lock;
  return config;
}

export function resourceVmRow(ctx: ClusterContext, vm: PveVm): Record<string, unknown> {
  const node = ctx.nodes.get(vm.node)!;
  const row: Record<string, unknown> = { id: `qemu/${vm.vmid}`, type: 'qemu', node: vm.node, ...vmStatusRow(ctx, vm), maxcpu: vm.cores, template: vm.template ? 1 : 0 };
  delete row.cpus;
  delete row.pid;
  if (node.status !== 'online') row.status = 'unknown';
  if (vm.pool !== undefined) row.pool = vm.pool;
  // The name comes from pvestatd's status of the guest (extract_vm_stats); a placeholder has none yet.
  if (vm.placeholder) delete row.name;
  return row;
}

export function resourceStorageRows(ctx: ClusterContext): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (const node of ctx.nodes.values()) {
    for (const storage of ctx.storages.values()) {
      rows.push({
        id: `storage/${node.name}/${storage.id}`,
        type: 'storage',
        node: node.name,
        storage: storage.id,
        plugintype: storage.plugintype,
        shared: storage.shared ? 1 : 0,
        content: 'images,rootdir',
        status: node.status === 'online' ? 'available' : 'unknown',
        disk: storageUsed(ctx, storage, node.name),
        maxdisk: storage.capacity,
      });
    }
  }
  return rows;
}

export function taskStatus(task: PveTask): Record<string, unknown> {
  const status: Record<string, unknown> = {
    upid: task.upid,
    node: task.info.node,
    pid: task.info.pid,
    pstart: task.info.pstart,
    starttime: task.info.starttime,
    type: task.info.type,
    id: task.info.id,
    user: task.info.user,
    status: task.status,
  };
  if (task.status === 'stopped') status.exitstatus = task.exitstatus;
  return status;
}

function uuidOf(n: number): string {
  const h = (n >>> 0).toString(16).padStart(8, '0');
  return `${h}-5a1d-4b0c-8e2f-${h}${h.slice(0, 4)}`;
}

function digestOf(vm: PveVm): string {
  const text = JSON.stringify([vm.placeholder ? null : vm.name, vm.lock, vm.node, vm.status, vm.disk.volume, vm.template, vm.placeholder ?? false]);
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0').repeat(5);
}

function fingerprintOf(name: string): string {
  const bytes = Array.from({ length: 32 }, (_, i) => ((name.charCodeAt(i % name.length) * (i + 7)) & 0xff).toString(16).toUpperCase().padStart(2, '0'));
  return bytes.join(':');
}
