// The Proxmox task types end to end: task-api, both vm workers, projection and the sandbox's
// Proxmox simulator as processes, the commands over HTTP as OpenVLE sends them.

import type { Task } from '@vle/domain';
import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { System } from '../../task-api/test/system.js';

const system = new System();
const CLONE = 'POST /nodes/{node}/qemu/{vmid}/clone';

// 30% of clone requests fail (20% refused, 10% answer lost): with 8 retries a SubTask exhausts its 9
// attempts with probability 0.3^9, about 1 in 50 000, so 20 clones all succeed in practice.
beforeAll(async () => {
  await system.start({ proxmox: {}, workerMaxRetry: 8 });
});

afterAll(async () => {
  await system.stop();
});

async function run(type: string, params: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<Task> {
  const response = await system.post('/api/v1/tasks', { type, createdBy: 'e2e', params, ...extra });
  if (response.status !== 201) throw new Error(`POST ${type} answered ${response.status}: ${JSON.stringify(response.body)}`);
  return system.finished(response.body.taskId, 60_000);
}

interface SimVm {
  vmid: number;
  name: string;
  node: string;
  status: string;
  lock?: string;
  template: boolean;
}

async function simulatedVm(vmid: number): Promise<SimVm | undefined> {
  const { body } = await system.sandboxCall('GET', '/_sandbox/pve/state');
  return (body.vms as SimVm[]).find((vm) => vm.vmid === vmid);
}

interface LedgerEntry {
  event: 'created' | 'deleted';
  vmid: number;
  name: string;
}

async function ledger(): Promise<{ created: LedgerEntry[]; deleted: LedgerEntry[] }> {
  const entries: LedgerEntry[] = (await system.sandboxCall('GET', '/_sandbox/pve/ledger')).body.entries;
  return { created: entries.filter((e) => e.event === 'created'), deleted: entries.filter((e) => e.event === 'deleted') };
}

describe('vm.clone', () => {
  it('clones 20 VMs through 20% transient errors and 10% lost answers: 20 SubTasks succeed, 20 VMs exist, attempts recorded', async () => {
    const faults = await system.sandboxCall('PUT', '/_sandbox/pve/faults', { seed: 7, endpoints: { [CLONE]: { errorRate: 0.2, timeoutRate: 0.1, hangMs: 3_000 } } });
    expect(faults.status).toBe(200);
    const before = (await ledger()).created.length;
    let task: Task;
    try {
      task = await run('vm.clone', { templateVmid: 9000, count: 20, namePattern: 'ev{event}-s{index:2}', pool: 'ev42' }, { eventId: '42' });
    } finally {
      await system.sandboxCall('DELETE', '/_sandbox/pve/faults');
    }

    expect(task.subtasks.filter((s) => s.status !== 'success').map((s) => `${s.name}: ${s.status} ${s.responseCode} ${s.responseMessage}`)).toEqual([]);
    expect(task.status).toBe('success');
    const created = (await ledger()).created.slice(before);
    expect(created).toHaveLength(20);
    expect(new Set(created.map((vm) => vm.vmid)).size).toBe(20);
    expect(created.map((vm) => vm.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `ev42-s${String(i + 1).padStart(2, '0')}`));
    // Each SubTask is about the VM it made, and its attempts and errors are on record.
    expect(task.subtasks.map((s) => [s.objectType, Number(s.objectId)]).sort()).toEqual(created.map((vm) => ['vm', vm.vmid]).sort());
    const retried = task.subtasks.filter((s) => s.failedAttempts > 0);
    expect(retried.length).toBeGreaterThan(0);
    for (const s of retried) expect(s.attempt).toBe(s.failedAttempts + 1);
    const failures = (await system.events(task.id)).filter((e) => e.type === 'SubTaskAttemptFailed');
    const codes = new Set(failures.map((e) => e.type === 'SubTaskAttemptFailed' && e.data.responseCode));
    expect([...codes].sort()).toEqual(expect.arrayContaining(['PVE_500', 'PVE_TIMEOUT']));
    // The admin's view: the projection shows the same attempts.
    await waitFor(async () => (await system.query(`/api/v1/tasks/${task.id}`)).body.status === 'success', { description: 'the projection to show the clone Task' });
    const view = (await system.query(`/api/v1/tasks/${task.id}`)).body;
    expect(view.subtasks.filter((s: { attempt: number }) => s.attempt > 1)).toHaveLength(retried.length);
  });

  it('fails at once with Proxmox\'s message when the template does not exist', async () => {
    const task = await run('vm.clone', { templateVmid: 9999, count: 1, namePattern: 'missing-template' });
    expect(task.status).toBe('failed');
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1, failedAttempts: 1, responseCode: 'PVE_500' });
    expect(task.subtasks[0]!.responseMessage).toMatch(/^Configuration file 'nodes\/pve\d\/qemu-server\/9999\.conf' does not exist/);
  });

  it('fails at once with Proxmox\'s message for a request Proxmox refuses (a linked clone to another node from local storage)', async () => {
    const task = await run('vm.clone', { templateVmid: 9001, count: 1, namePattern: 'local-to-pve3', targetNode: 'pve3' });
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1 });
    expect(task.subtasks[0]!.responseMessage).toContain("can't clone VM to node 'pve3' (VM uses local storage)");
  });

  it('fails at once with Proxmox\'s refusal of a pool that does not exist (403)', async () => {
    const task = await run('vm.clone', { templateVmid: 9000, count: 1, namePattern: 'no-pool', pool: 'nopool' });
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1, responseCode: 'PVE_403' });
    expect(task.subtasks[0]!.responseMessage).toContain("pool 'nopool' does not exist");
  });
});

describe('actions on a VM', () => {
  let vmid: number;

  beforeAll(async () => {
    const task = await run('vm.clone', { templateVmid: 9000, count: 1, namePattern: 'actions-vm' });
    if (task.status !== 'success') throw new Error(`the VM for the action tests was not cloned: ${task.subtasks[0]!.responseMessage}`);
    vmid = Number(task.subtasks[0]!.objectId);
  });

  it('start and stop change its status; starting it twice is fine', async () => {
    expect((await run('vm.start', { vmids: [vmid] })).status).toBe('success');
    expect(await simulatedVm(vmid)).toMatchObject({ status: 'running' });
    const again = await run('vm.start', { vmids: [vmid] });
    expect(again.subtasks[0]!.responseMessage).toContain('already running');
    expect((await run('vm.stop', { vmids: [vmid] })).status).toBe('success');
    expect(await simulatedVm(vmid)).toMatchObject({ status: 'stopped' });
  });

  it('reset of a stopped VM fails with Proxmox\'s message; of a running one it succeeds', async () => {
    const refused = await run('vm.reset', { vmids: [vmid] });
    expect(refused.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1 });
    expect(refused.subtasks[0]!.responseMessage).toContain(`VM ${vmid} not running`);
    await run('vm.start', { vmids: [vmid] });
    expect((await run('vm.reset', { vmids: [vmid] })).status).toBe('success');
  });

  it('migrate moves it to another node (online while it runs), looked up where it is now', async () => {
    const from = (await simulatedVm(vmid))!.node;
    const to = from === 'pve2' ? 'pve3' : 'pve2';
    const task = await run('vm.migrate', { vmids: [vmid], targetNode: to });
    expect(task.status).toBe('success');
    expect(task.subtasks[0]!.responseMessage).toContain(`from ${from} to ${to} (online)`);
    expect(await simulatedVm(vmid)).toMatchObject({ node: to, status: 'running' });
    // Planned before it moved, run after: the worker finds it on its new node.
    expect((await run('vm.stop', { vmids: [vmid] })).status).toBe('success');
  });

  it('delete removes it (stopping it first); deleting it again counts as done', async () => {
    await run('vm.start', { vmids: [vmid] });
    const task = await run('vm.delete', { vmids: [vmid] });
    expect(task.subtasks[0]!.responseMessage).toContain('after stopping it');
    expect(await simulatedVm(vmid)).toBeUndefined();
    expect((await ledger()).deleted.map((d) => d.vmid)).toContain(vmid);
    const again = await run('vm.delete', { vmids: [vmid] });
    expect(again.subtasks[0]).toMatchObject({ status: 'success', responseMessage: `VM ${vmid} does not exist (already deleted)` });
  });

  it('an action on a VM that does not exist fails at once', async () => {
    const task = await run('vm.start', { vmids: [424242] });
    expect(task.subtasks[0]).toMatchObject({ status: 'failed', attempt: 1, responseCode: 'PVE_NOT_FOUND' });
  });
});

describe('pve.node_sync', () => {
  it('runs on pve_periodic and its inventory is served by the projection', async () => {
    const task = await run('pve.node_sync', {});
    expect(task.subtasks[0]).toMatchObject({ status: 'success', queue: 'pve_periodic' });
    expect(task.subtasks[0]!.responseMessage).toMatch(/^3 nodes \(3 online\), \d+ VMs, 2 templates$/);
    const nodes = await waitFor(async () => {
      const { body } = await system.query('/api/v1/proxmox/nodes');
      return body.taskId === task.id ? body : undefined;
    }, { description: 'the inventory of the sync' });
    expect(nodes.nodes.map((n: { node: string }) => n.node).sort()).toEqual(['pve1', 'pve2', 'pve3']);
    const templates = (await system.query('/api/v1/proxmox/vms?template=true')).body.vms;
    expect(templates.map((vm: { vmid: number }) => vm.vmid).sort()).toEqual([9000, 9001]);
    const state = (await system.sandboxCall('GET', '/_sandbox/pve/state')).body.vms as SimVm[];
    const vms = (await system.query('/api/v1/proxmox/vms?template=false')).body.vms;
    expect(vms).toHaveLength(state.filter((vm) => !vm.template).length);
  });
});
