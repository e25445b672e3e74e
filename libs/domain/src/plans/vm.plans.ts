// The Proxmox task types: one SubTask per VM, so that each VM's attempts, errors and retries are
// its own, and one failing VM does not hold the others back.

import { RuleViolation } from '../task/rule-violation.js';
import type { JsonObject } from '../task/events.js';
import type { Planner, PlanParams, PlannedDraft } from './task-plan.js';
import { namesEachVm, vmName } from './vm-names.js';

const VMID_MIN = 100;
const VMID_MAX = 999_999_999;

const text = (params: PlanParams, key: string): string | undefined => (typeof params[key] === 'string' && params[key] !== '' ? (params[key] as string) : undefined);
const int = (params: PlanParams, key: string): number | undefined => (typeof params[key] === 'number' ? (params[key] as number) : undefined);

/** Leaves out what is not set, so that params hold only what the worker needs. */
function defined(fields: Record<string, string | number | boolean | undefined>): JsonObject {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as JsonObject;
}

export const planVmClone: Planner<PlanParams> = (params, { eventId }) => {
  const templateVmid = int(params, 'templateVmid')!;
  const count = int(params, 'count')!;
  const pattern = text(params, 'namePattern')!;
  const first = int(params, 'firstIndex') ?? 1;
  if (count > 1 && !namesEachVm(pattern)) {
    throw new RuleViolation('INVALID_PARAMS', `params.namePattern "${pattern}" gives every one of the ${count} VMs the same name; use {index}`, 'params.namePattern');
  }
  const full = params.full === true;
  if (!full && text(params, 'storage')) throw new RuleViolation('INVALID_PARAMS', 'params.storage is only allowed for a full clone (Proxmox: "parameter \'storage\' not allowed for linked clones")', 'params.storage');
  const subtasks: PlannedDraft[] = [];
  for (let index = first; index < first + count; index++) {
    const name = vmName(pattern, index, eventId, 'params.namePattern');
    subtasks.push({
      key: `clone-${index}`,
      name: `Clone VM ${name}`,
      action: 'clone',
      queue: 'pve_vm_clone',
      // The template until the worker reserves the new VM's id: then the SubTask's object is that VM.
      objectType: 'template',
      objectId: String(templateVmid),
      params: defined({ templateVmid, templateNode: text(params, 'templateNode'), name, targetNode: text(params, 'targetNode'), pool: text(params, 'pool'), full, storage: text(params, 'storage') }),
    });
  }
  return { name: `Clone ${count} VM${count === 1 ? '' : 's'} from template ${templateVmid}`, objectType: 'template', objectId: String(templateVmid), subtasks };
};

function vmidsOf(params: PlanParams): number[] {
  const vmids = Array.isArray(params.vmids) ? (params.vmids as number[]) : [];
  const seen = new Set<number>();
  vmids.forEach((vmid, i) => {
    const field = `params.vmids[${i}]`;
    if (!Number.isInteger(vmid) || vmid < VMID_MIN || vmid > VMID_MAX) throw new RuleViolation('INVALID_PARAMS', `${field}: ${vmid} is not a VMID (${VMID_MIN} - ${VMID_MAX})`, field);
    if (seen.has(vmid)) throw new RuleViolation('INVALID_PARAMS', `${field}: VM ${vmid} is listed twice`, field);
    seen.add(vmid);
  });
  return vmids;
}

/** One SubTask per VM of `params.vmids`; a Task of one VM is about that VM. */
function perVm(action: string, queue: PlannedDraft['queue'], title: string, extra: (vmid: number) => JsonObject = () => ({})): Planner<PlanParams> {
  return (params) => {
    const vmids = vmidsOf(params);
    const subtasks = vmids.map((vmid): PlannedDraft => ({
      key: `${action}-${vmid}`,
      name: `${title} VM ${vmid}`,
      action,
      queue,
      objectType: 'vm',
      objectId: String(vmid),
      params: { vmid, ...extra(vmid) },
    }));
    const single = vmids.length === 1;
    return { name: single ? `${title} VM ${vmids[0]}` : `${title} ${vmids.length} VMs`, objectType: single ? 'vm' : undefined, objectId: single ? String(vmids[0]) : undefined, subtasks };
  };
}

export const planVmDelete = perVm('delete', 'pve_vm_clone', 'Delete');
export const planVmStart = perVm('start', 'pve_vm_actions', 'Start');
export const planVmStop = perVm('stop', 'pve_vm_actions', 'Stop');
export const planVmReset = perVm('reset', 'pve_vm_actions', 'Reset');

export const planVmMigrate: Planner<PlanParams> = (params, context) => {
  const targetNode = text(params, 'targetNode')!;
  const plan = perVm('migrate', 'pve_vm_actions', 'Migrate', () => defined({ targetNode, online: params.online === true ? true : undefined }))(params, context);
  return { ...plan, name: `${plan.name} to ${targetNode}` };
};

export const planPveNodeSync: Planner<PlanParams> = () => ({
  name: 'Proxmox node info',
  subtasks: [{ key: 'node-sync', name: 'Sync Proxmox nodes, VMs and templates', action: 'node_sync', queue: 'pve_periodic' }],
});
