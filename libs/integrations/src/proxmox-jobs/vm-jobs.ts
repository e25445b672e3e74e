// What the Proxmox job handlers of both vm workers share: finding where a VM is now, running a
// Proxmox task (UPID) to its end under the job's abort signal (the job runtime heartbeats meanwhile),
// and the params by which a plan names a VM. Handlers stay a few lines each (STYLE: createActivities(deps)).

import { JobFailureError } from '@vle/domain';
import { z } from 'zod';
import { abortableSleep } from '../abortable-sleep.js';
import type { PveClient } from '../proxmox/pve-client.js';
import { PveError } from '../proxmox/pve-error.js';
import type { PveTaskStatus, PveVmResource } from '../proxmox/pve-types.js';

export interface PveJobDeps {
  readonly pve: PveClient;
  /** How often a running Proxmox task is polled. */
  readonly pollMs: number;
}

/** The part of the job runtime's JobContext these helpers use. */
export interface PveJobSignals {
  readonly signal: AbortSignal;
}

/** Starts a Proxmox task and waits for its end; rejects with PveTaskFailed carrying its exitstatus. */
export async function runPveTask(deps: PveJobDeps, job: PveJobSignals, start: () => Promise<string>): Promise<PveTaskStatus & { readonly upid: string }> {
  const upid = await start();
  const status = await deps.pve.waitForTask(upid, { signal: job.signal, pollMs: deps.pollMs });
  return { ...status, upid };
}

/** Waits while `vm` is locked by `lock` (e.g. a clone still copying disks); undefined when it vanished. */
export async function waitWhileLocked(deps: PveJobDeps, job: PveJobSignals, vmid: number, lock: string): Promise<PveVmResource | undefined> {
  for (;;) {
    const vm = await deps.pve.findVm(vmid);
    if (!vm || vm.lock !== lock) return vm;
    await abortableSleep(deps.pollMs, job.signal);
  }
}

/** The part of the job runtime's JobContext that names the SubTasks a job depends on. */
export interface PveJobDependencies {
  readonly dependencies: ReadonlyArray<{ readonly key: string; readonly object: { readonly type?: string; readonly id?: string } }>;
}

/** Where a job's VM is: its id and, when it exists, its row of /cluster/resources (its node now). */
export interface TargetVm {
  readonly vmid: number;
  readonly vm?: PveVmResource;
  /** How the job named it, for messages: `VM 4101` or `VM "ev42-s07"`. */
  readonly label: string;
}

/** How a plan names a job's VM (see findTargetVm); spread into the params schema of each VM action. */
export const vmTargetParams = {
  vmid: z.number().int().positive().optional(),
  vmName: z.string().min(1).optional(),
};

export type VmTargetParams = z.output<z.ZodObject<typeof vmTargetParams>>;

/**
 * The VM a job acts on: `params.vmid` when the plan knew it; otherwise the VM of the SubTask it
 * depends on (a start planned behind a clone acts on the VM that clone reserved and made); otherwise
 * `params.vmName`, looked up by name (an event's VMs are named after the event and the participant).
 * `vm` is undefined when there is no such VM.
 */
export async function findTargetVm(deps: PveJobDeps, params: VmTargetParams, job: PveJobDependencies): Promise<TargetVm> {
  let vmid = params.vmid;
  if (vmid === undefined) {
    const vms = job.dependencies.filter((d) => d.object.type === 'vm' && d.object.id);
    if (vms.length > 1) throw invalidParam('vmid', `is required: the SubTask depends on ${vms.length} SubTasks about VMs`);
    if (vms.length === 1) vmid = Number(vms[0]!.object.id);
  }
  if (vmid !== undefined) return { vmid, vm: await deps.pve.findVm(vmid), label: `VM ${vmid}` };
  const name = params.vmName;
  if (name === undefined) throw invalidParam('vmid', 'is required unless the SubTask depends on a SubTask about a VM or names it (vmName)');
  const matches = (await deps.pve.clusterResources('vm')).filter((r): r is PveVmResource => r.type === 'qemu' && r.name === name);
  if (matches.length > 1) {
    throw new JobFailureError(`${matches.length} VMs are named "${name}" (${matches.map((m) => m.vmid).join(', ')}): which one is meant is not clear`, 'PVE_AMBIGUOUS', { permanent: true });
  }
  return { vmid: matches[0]?.vmid ?? 0, vm: matches[0], label: `VM "${name}"` };
}

/** A TargetVm that must exist: a missing VM is a permanent failure. */
export function existing(target: TargetVm): PveVmResource & { readonly vmid: number } {
  if (target.vm) return target.vm;
  throw new PveError({
    status: 0,
    reason: 'not found',
    message: `${target.label} does not exist on the cluster (it is not in /cluster/resources)`,
    method: 'GET',
    path: '/cluster/resources',
    kind: 'not_found',
    transient: false,
    responseCode: 'PVE_NOT_FOUND',
  });
}

/** A param the schema cannot judge alone (it depends on the SubTask's dependencies): worded as the runtime words INVALID_PARAMS. */
function invalidParam(key: string, problem: string): JobFailureError {
  return new JobFailureError(`invalid job params: params.${key}: ${problem}`, 'INVALID_PARAMS', { permanent: true });
}
