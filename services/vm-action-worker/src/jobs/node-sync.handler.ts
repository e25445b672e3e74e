// "Proxmox node info" (queue pve_periodic): read every node, VM and template of the cluster and
// publish them as one inventory snapshot, which the projection serves to admins. A snapshot is not
// Task history, so it goes to PVE_INVENTORY, not to the Task's log; the SubTask's answer sums it up.

import type { PveGuestInfoInput, PveNodeInfoInput } from '@vle/contracts';
import { type PveJobDeps, type PveNodeSummary, type PveResource } from '@vle/integrations';
import { defineHandler, type JobHandler } from '@vle/messaging';
import { publishPveInventory } from '@vle/pve-state';
import { z } from 'zod';
import type { WorkerContext } from '@vle/task-runtime';

/** planPveNodeSync gives the SubTask no params. */
const NodeSyncParams = z.object({});

export function createNodeSyncHandler(deps: PveJobDeps, worker: WorkerContext): JobHandler {
  const { pve } = deps;

  async function nodeInfo(summary: PveNodeSummary): Promise<PveNodeInfoInput> {
    const info: PveNodeInfoInput = { node: summary.node, status: summary.status, cpu: summary.cpu ?? 0, maxCpu: summary.maxcpu ?? 0, mem: summary.mem ?? 0, maxMem: summary.maxmem ?? 0, uptime: summary.uptime ?? 0 };
    // An offline node answers nothing more (pveproxy: 595 "No route to host").
    if (summary.status !== 'online') return info;
    const status = await pve.nodeStatus(summary.node);
    return { ...info, disk: status.rootfs.used, maxDisk: status.rootfs.total, pveVersion: status.pveversion };
  }

  return defineHandler(NodeSyncParams, async (_params, job) => {
    const summaries = await pve.nodes();
    const nodes: PveNodeInfoInput[] = [];
    for (const summary of summaries) nodes.push(await nodeInfo(summary));
    const guests = (await pve.clusterResources('vm')).filter((r) => r.type === 'qemu').map(guestInfo);
    await publishPveInventory(worker.js, worker.topology, { syncedAt: new Date().toISOString(), taskId: job.taskId, subTaskId: job.subTaskId, nodes, guests });
    const online = nodes.filter((n) => n.status === 'online').length;
    const templates = guests.filter((g) => g.template).length;
    return { responseCode: 'OK', responseMessage: `${nodes.length} nodes (${online} online), ${guests.length - templates} VMs, ${templates} templates` };
  });
}

function guestInfo(row: PveResource): PveGuestInfoInput {
  return {
    vmid: row.vmid!,
    name: row.name ?? '',
    node: row.node ?? '',
    status: row.status ?? '',
    template: row.template === 1 || row.template === true,
    lock: row.lock ?? '',
    pool: row.pool ?? '',
    maxCpu: row.maxcpu ?? 0,
    maxMem: row.maxmem ?? 0,
    uptime: row.uptime ?? 0,
  };
}
