// kill -9 of vm-clone-worker while Proxmox copies a clone's disks (DESIGN §7): the job is delivered
// again after ack_wait, the new attempt finds the VM the dead one reserved and made, waits for the
// clone to finish, and no second VM is ever created.

import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { System } from '../../../task-api/test/system.js';

const system = new System();

beforeAll(async () => {
  await system.start({ proxmox: {} });
});

afterAll(async () => {
  await system.stop();
});

it('kill -9 of vm-clone-worker in the middle of a clone: redelivered, finished, no duplicate VM', async () => {
  // Clones take 4 s in Proxmox: long enough to kill the worker while its task runs.
  expect((await system.sandboxCall('PUT', '/_sandbox/pve/timings', { qmclone: 4_000 })).status).toBe(200);
  const createdSoFar = async () => ((await system.sandboxCall('GET', '/_sandbox/pve/ledger')).body.entries as Array<{ event: string; vmid: number; name: string }>).filter((e) => e.event === 'created');
  const before = (await createdSoFar()).length;
  const { body } = await system.post('/api/v1/tasks', { type: 'vm.clone', createdBy: 'e2e', params: { templateVmid: 9000, count: 3, namePattern: 'crash-{index}' } });
  const taskId: string = body.taskId;

  // Every clone reserved its VMID and Proxmox is copying: the VMs exist, locked.
  const reserved = await waitFor(async () => {
    const task = await system.task(taskId);
    const vmids = task.subtasks.filter((s) => s.objectType === 'vm').map((s) => Number(s.objectId));
    if (vmids.length < 3) return undefined;
    const { vms } = (await system.sandboxCall('GET', '/_sandbox/pve/state')).body as { vms: Array<{ vmid: number; lock?: string }> };
    return vmids.every((vmid) => vms.some((vm) => vm.vmid === vmid && vm.lock === 'clone')) ? vmids : undefined;
  }, { description: 'three clones running in Proxmox', timeoutMs: 20_000 });

  await system.vmCloneWorker!.kill('SIGKILL');
  await system.vmCloneWorker!.restart();

  const task = await system.finished(taskId, 60_000);
  expect(task.subtasks.filter((s) => s.status !== 'success').map((s) => `${s.name}: ${s.status} ${s.responseCode} ${s.responseMessage}`)).toEqual([]);
  for (const s of task.subtasks) {
    // Attempt 1 died with the worker; attempt 2 found its VM and waited for the clone to end.
    expect(s).toMatchObject({ status: 'success', attempt: 2, objectType: 'vm' });
    expect(s.responseMessage).toContain('by an earlier attempt');
  }
  expect(task.subtasks.map((s) => Number(s.objectId)).sort()).toEqual([...reserved].sort());
  const created = (await createdSoFar()).slice(before);
  expect(created.map((vm) => vm.name).sort()).toEqual(['crash-1', 'crash-2', 'crash-3']);
  expect(created.map((vm) => vm.vmid).sort()).toEqual([...reserved].sort());
  const reservations = (await system.events(taskId)).filter((e) => e.type === 'SubTaskObjectReserved');
  expect(reservations).toHaveLength(3);
  await system.sandboxCall('PUT', '/_sandbox/pve/timings', { qmclone: 300 });
});
