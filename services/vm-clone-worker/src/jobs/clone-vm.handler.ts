// Clone a VM from a template, exactly once however often the job is delivered (DESIGN §7).
//
// /cluster/nextid reserves nothing (pve-manager Cluster.pm), and a clone whose response was lost
// (timeout, crash) may still have happened. So the VMID is recorded in the Task's log
// (SubTaskObjectReserved) before the clone is asked for, and the new VM's description carries the
// SubTask's id. A later attempt looks the reserved VMID up: our VM (locked while Proxmox copies
// disks, then done) counts as cloned; a VMID someone else took is replaced by a fresh one; a VMID
// still free is cloned again.

import { param, runPveTask, waitWhileLocked, type PveJobDeps } from '@vle/integrations';
import type { JobHandler, JobInput } from '@vle/messaging';

interface CloneParams {
  readonly templateVmid: number;
  readonly templateNode?: string;
  readonly name: string;
  readonly targetNode?: string;
  readonly pool?: string;
  readonly full: boolean;
  readonly storage?: string;
}

function cloneParams(job: JobInput): CloneParams {
  const p = job.params;
  return {
    templateVmid: param(p, 'templateVmid', 'number', true)!,
    templateNode: param(p, 'templateNode', 'string', false),
    name: param(p, 'name', 'string', true)!,
    targetNode: param(p, 'targetNode', 'string', false),
    pool: param(p, 'pool', 'string', false),
    full: param(p, 'full', 'boolean', false) ?? false,
    storage: param(p, 'storage', 'string', false),
  };
}

/** Written into the new VM's description: how a later attempt knows the VM is its own. */
export function cloneMarker(job: JobInput): string {
  return `Cloned by vle-tasks: task ${job.taskId}, subtask ${job.subTaskId}`;
}

export function createCloneVmHandler(deps: PveJobDeps): JobHandler {
  const { pve } = deps;

  // /cluster/nextid answers every caller with the same lowest free VMID until a config file takes it.
  // The clones of this worker choose their VMID and ask for the clone (which writes the config) one
  // after another, so they never collide with each other; only other replicas' clones can.
  let creating: Promise<unknown> = Promise.resolve();
  function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
    const result = creating.then(work);
    creating = result.catch(() => undefined);
    return result;
  }

  /** The reserved VM if this SubTask made it: 'ours'; someone else's: 'taken'; no such VM: 'free'. */
  async function ownerOf(vmid: number, job: JobInput): Promise<{ state: 'free' | 'taken' } | { state: 'ours'; node: string; lock?: string }> {
    const vm = await pve.findVm(vmid);
    if (!vm) return { state: 'free' };
    const config = await pve.vmConfig(vm.node, vmid);
    const ours = typeof config.description === 'string' && config.description.includes(cloneMarker(job));
    return ours ? { state: 'ours', node: vm.node, lock: vm.lock } : { state: 'taken' };
  }

  /**
   * The template's node now (a template can be migrated too). One missing from /cluster/resources is
   * asked for where the plan says (or on the first online node), so that the SubTask fails with
   * Proxmox's own words: 500 "Configuration file 'nodes/X/qemu-server/N.conf' does not exist".
   */
  async function templateNodeOf(p: CloneParams): Promise<string> {
    const template = await pve.findVm(p.templateVmid);
    if (template) return template.node;
    const node = p.templateNode ?? (await pve.nodes()).find((n) => n.status === 'online')?.node;
    if (!node) throw Object.assign(new Error('no Proxmox node is online'), { responseCode: 'PVE_NO_NODE' });
    await pve.vmConfig(node, p.templateVmid);
    return node;
  }

  return async (job, context) => {
    const p = cloneParams(job);
    let vmid = context.object.type === 'vm' && context.object.id ? Number(context.object.id) : undefined;
    if (vmid !== undefined) {
      const owner = await ownerOf(vmid, job);
      if (owner.state === 'ours') {
        const vm = owner.lock === 'clone' ? await waitWhileLocked(deps, context, vmid, 'clone') : { node: owner.node };
        // Gone meanwhile: that clone failed and Proxmox removed its half-made VM; the VMID is free again.
        if (vm) return { responseCode: 'OK', responseMessage: `VM ${vmid} "${p.name}" on ${vm.node} was cloned from ${p.templateVmid} by an earlier attempt` };
      } else if (owner.state === 'taken') {
        vmid = undefined;
      }
    }
    const node = await templateNodeOf(p);
    // A refusal is thrown as Proxmox gave it. "config file already exists" (another replica's clone
    // took the VMID between nextid and ours) is transient: the next attempt finds the VMID taken and
    // reserves a fresh one.
    const task = await runPveTask(deps, context, () =>
      oneAtATime(async () => {
        if (vmid === undefined) {
          vmid = await pve.nextId();
          await context.reserveObject('vm', String(vmid));
        }
        return pve.cloneVm(node, p.templateVmid, { newid: vmid, name: p.name, full: p.full || undefined, target: p.targetNode, pool: p.pool, storage: p.storage, description: cloneMarker(job) });
      }),
    );
    const newid = vmid!;
    return { responseCode: 'OK', responseMessage: `VM ${newid} "${p.name}" cloned from ${p.templateVmid} on ${node}${p.targetNode ? ` to ${p.targetNode}` : ''}: ${task.exitstatus}` };
  };
}
