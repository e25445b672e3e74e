// Clone a VM from a template, exactly once however often the job is delivered (DESIGN §7).
//
// What Proxmox shows and what it does not. clone_vm (qemu-server Qemu.pm) writes the new VM's config
// as a placeholder the moment the copy starts (`# qmclone temporary file`, `lock: clone`: no name, no
// description); the real config arrives only when the copy ends, and a failed copy removes the
// placeholder. Every clone in progress looks the same, and a qmclone UPID names the *source* VMID, so
// neither the config nor the node's task list tells whose clone a placeholder is. /cluster/nextid
// reserves nothing: two replicas get the same number.
//
// So a SubTask S clones only into a VMID it holds in our own store (JetStreamVmidReservations, one
// subject per VMID, create-if-absent), recorded in the Task's log too (SubTaskObjectReserved, fenced
// by the attempt) before Proxmox hears of it, and S records the clone's UPID in the store as soon as
// Proxmox answers. Within vle-tasks no other SubTask clones into S's VMID; only someone outside (a
// person in the UI) can. Every attempt after the first starts from the VMID in the log:
// - the store has S's UPID: that task is S's clone; its end decides (OK: done; failed: Proxmox removed
//   the placeholder, so the VMID is free and S clones again under the same reservation);
// - a placeholder without a known UPID (the answer was lost, or the worker died before recording it):
//   ours or an outsider's; the attempt waits for the copy to end (the runtime heartbeats) instead of guessing,
//   then the finished config decides: S's marker in the description means S's VM;
// - a finished VM without S's marker: someone else's. S gives the VMID back and reserves a fresh one;
//   this is the only way S leaves a VMID, and only a finished foreign config makes it, so a clone of
//   S that may still succeed is never followed by a second one elsewhere;
// - no VM: S (re)claims the VMID in the store (another SubTask holding it means it is not S's: fresh
//   one) and clones.
// Crash windows: before the store claim, nothing happened; between the claim and the log record, the
// VMID was never cloned into (the clone follows the log record) and the next attempt usually gets it
// back from nextid as its own, else it stays reserved and unused; between the clone's answer and the
// UPID record, the placeholder path above; after the clone ended, the finished config says ours.
// Before every clone request the attempt fence (`reserveObject`) is asked again, so a stalled attempt
// whose SubTask moved on never clones. A collision with another replica never reaches Proxmox (the
// loser takes the next free VMID in the same attempt); "config file already exists" (an outsider, or
// S's own earlier request arriving late) is looked at again in the same attempt, not failed.
// The reservation is released when the clone is done: the VM's config guards the VMID from then on.

import { JobFailureError } from '@vle/domain';
import { isPveError, PveTaskFailed, waitWhileLocked, type PveJobDeps, type PveVmResource } from '@vle/integrations';
import { defineHandler, type JobContext, type JobHandler, type JobInput } from '@vle/messaging';
import { type VmidHolder, type VmidReservation, type VmidReservations } from '@vle/pve-state';
import { z } from 'zod';

export interface CloneVmDeps extends PveJobDeps {
  readonly reservations: VmidReservations;
}

/** What planVmClone and an event's deploy give the SubTask. */
const CloneParams = z.object({
  templateVmid: z.number().int().positive(),
  templateNode: z.string().min(1).optional(),
  name: z.string().min(1),
  targetNode: z.string().min(1).optional(),
  pool: z.string().min(1).optional(),
  full: z.boolean().default(false),
  storage: z.string().min(1).optional(),
});

type CloneParams = z.output<typeof CloneParams>;

/** Written into the new VM's description: for people, and how a finished VM is known as this SubTask's. */
export function cloneMarker(job: JobInput): string {
  return `Cloned by vle-tasks: task ${job.taskId}, subtask ${job.subTaskId}`;
}

/** Each round ends in a wait for Proxmox or a fresh VMID; this many means something else is wrong. */
const MAX_ROUNDS = 8;
/** VMIDs other SubTasks hold that one attempt steps over before it gives up (transient). */
const MAX_VMID_PROBES = 256;

type Finding = { readonly kind: 'ours'; readonly vm: PveVmResource } | { readonly kind: 'free' } | { readonly kind: 'foreign' };

function transient(message: string, responseCode: string): JobFailureError {
  return new JobFailureError(message, responseCode, { permanent: false });
}

export function createCloneVmHandler(deps: CloneVmDeps): JobHandler {
  const { pve, reservations } = deps;

  /**
   * The template's node now (a template can be migrated too). One missing from /cluster/resources is
   * asked for where the plan says (or on the first online node), so that the SubTask fails with
   * Proxmox's own words: 500 "Configuration file 'nodes/X/qemu-server/N.conf' does not exist".
   */
  async function templateNodeOf(p: CloneParams): Promise<string> {
    const template = await pve.findVm(p.templateVmid);
    if (template) return template.node;
    const node = p.templateNode ?? (await pve.nodes()).find((n) => n.status === 'online')?.node;
    if (!node) throw transient('no Proxmox node is online', 'PVE_NO_NODE');
    await pve.vmConfig(node, p.templateVmid);
    return node;
  }

  /** The next VMID Proxmox has no VM at, from `from` on. */
  async function nextFree(from: number): Promise<number> {
    for (let id = from; id < from + MAX_VMID_PROBES; id++) {
      try {
        return await pve.nextId(id);
      } catch (error) {
        if (!(isPveError(error) && error.kind === 'vmid_taken')) throw error;
      }
    }
    throw transient(`no free VMID in ${from}..${from + MAX_VMID_PROBES - 1}`, 'PVE_NO_VMID');
  }

  /** A VMID free on Proxmox and reserved for `holder` in our store. */
  async function freshReservation(holder: VmidHolder): Promise<VmidReservation> {
    let candidate = await pve.nextId();
    for (let probe = 0; probe < MAX_VMID_PROBES; probe++) {
      const claim = await reservations.claim(candidate, holder);
      if (claim.kind === 'ours') return claim.reservation;
      // Another SubTask's clone holds it (nextid answers everyone alike until its config exists).
      candidate = await nextFree(candidate + 1);
    }
    throw transient(`${MAX_VMID_PROBES} VMIDs in a row are reserved by other clones`, 'PVE_NO_VMID');
  }

  /** What `vmid` holds for this SubTask; waits out a clone in progress, ours or not. */
  async function inspect(vmid: number, job: JobInput, context: JobContext, upid: string | undefined): Promise<Finding> {
    if (upid !== undefined) {
      try {
        await pve.waitForTask(upid, { signal: context.signal, pollMs: deps.pollMs });
      } catch (error) {
        // The task failed (its placeholder is gone) or is unknown to the node: the VMID itself tells.
        if (!(error instanceof PveTaskFailed) && !(isPveError(error) && !error.transient)) throw error;
      }
    }
    for (;;) {
      const vm = await waitWhileLocked(deps, context, vmid, 'clone');
      if (!vm) return { kind: 'free' };
      const config = await configOf(vm.node, vmid);
      // Moved meanwhile (a migration), or a new placeholder since the look-up: look again.
      if (!config || config.lock === 'clone') continue;
      const ours = typeof config.description === 'string' && config.description.includes(cloneMarker(job));
      return ours ? { kind: 'ours', vm } : { kind: 'foreign' };
    }
  }

  async function configOf(node: string, vmid: number): Promise<Record<string, unknown> | undefined> {
    try {
      return await pve.vmConfig(node, vmid);
    } catch (error) {
      if (isPveError(error) && error.kind === 'not_found') return undefined;
      throw error;
    }
  }

  return defineHandler(CloneParams, async (p, job, context) => {
    const holder: VmidHolder = { taskId: job.taskId, subTaskId: job.subTaskId, generation: job.generation, attempt: context.attempt };
    let vmid = context.object.type === 'vm' && context.object.id ? Number(context.object.id) : undefined;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let reservation: VmidReservation;
      let node: string;
      if (vmid === undefined) {
        node = await templateNodeOf(p);
        reservation = await freshReservation(holder);
        vmid = reservation.vmid;
      } else {
        const held = await reservations.get(vmid);
        const ownHold = held?.subTaskId === job.subTaskId ? held : undefined;
        const finding = await inspect(vmid, job, context, ownHold?.upid);
        if (finding.kind === 'ours') {
          if (ownHold) await reservations.release(ownHold);
          return { responseCode: 'OK', responseMessage: `VM ${vmid} "${p.name}" on ${finding.vm.node} was cloned from ${p.templateVmid} by an earlier attempt` };
        }
        const claim = finding.kind === 'free' ? await reservations.claim(vmid, holder) : undefined;
        if (!claim || claim.kind === 'other') {
          // Someone else's VM, or another SubTask's reservation: this VMID is not ours to clone into.
          if (ownHold) await reservations.release(ownHold);
          vmid = undefined;
          continue;
        }
        reservation = claim.reservation;
        node = await templateNodeOf(p);
      }
      // The log names the VMID before Proxmox hears of it; this also fences a stalled attempt.
      await context.reserveObject('vm', String(vmid));
      let upid: string;
      try {
        upid = await pve.cloneVm(node, p.templateVmid, { newid: vmid, name: p.name, full: p.full || undefined, target: p.targetNode, pool: p.pool, storage: p.storage, description: cloneMarker(job) });
      } catch (error) {
        // A config is there (an outsider's, or an earlier request of ours that arrived late): look again.
        if (isPveError(error) && (error.kind === 'config_exists' || error.kind === 'vmid_taken')) continue;
        // A lost answer is thrown: the next attempt finds the placeholder and waits for it.
        throw error;
      }
      reservation = await reservations.recordUpid(reservation, upid);
      // A failed task is thrown as Proxmox gave it; Proxmox removed the placeholder, and the next
      // attempt clones again under this reservation.
      const task = await pve.waitForTask(upid, { signal: context.signal, pollMs: deps.pollMs });
      await reservations.release(reservation);
      return { responseCode: 'OK', responseMessage: `VM ${vmid} "${p.name}" cloned from ${p.templateVmid} on ${node}${p.targetNode ? ` to ${p.targetNode}` : ''}: ${task.exitstatus}` };
    }
    throw transient(`VMID ${vmid ?? '(none)'} still not settled after ${MAX_ROUNDS} looks`, 'PVE_VMID_UNSETTLED');
  });
}
