// Two vm-clone-worker replicas clone 20 VMs with long copies while one is killed (-9) mid-copy and the
// other stopped (SIGTERM) mid-copy, and a fifth of the clone requests lose their answer (DESIGN §7).
// Real Proxmox shows only a placeholder config while it copies, so a redelivered job must know its own
// clone from the reservation store, not from the VM: exactly 20 VMs, none left locked, all succeed.

import { JetStreamVmidReservations } from '@vle/pve-state';
import { startService, waitFor, type ServiceProcess } from '@vle/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { entries, System } from '../../../task-api/test/system.js';

const CLONE = 'POST /nodes/{node}/qemu/{vmid}/clone';
const COUNT = 20;
const system = new System();
let replicaB: ServiceProcess;

interface SimVm {
  vmid: number;
  name: string;
  lock: string | null;
}

beforeAll(async () => {
  // 8 retries: a SubTask whose requests keep losing their answer still ends within its attempts.
  await system.start({ proxmox: {}, workerMaxRetry: 8 });
  replicaB = await startService(entries.vmCloneWorker, system.proxmoxEnv);
});

afterAll(async () => {
  await replicaB?.stop();
  await system.stop();
});

async function vms(): Promise<SimVm[]> {
  return (await system.sandboxCall('GET', '/_sandbox/pve/state')).body.vms;
}

async function copying(): Promise<number> {
  return (await vms()).filter((vm) => vm.lock === 'clone').length;
}

it('2 replicas clone 20 VMs through kill -9, SIGTERM and lost answers: exactly 20 VMs, none locked, every SubTask succeeds', async () => {
  expect((await system.sandboxCall('PUT', '/_sandbox/pve/timings', { qmclone: 5_000 })).status).toBe(200);
  // The answer of one clone request in five is held past the client's 2 s timeout; the clone itself runs.
  expect((await system.sandboxCall('PUT', '/_sandbox/pve/faults', { seed: 11, endpoints: { [CLONE]: { timeoutRate: 0.2, hangMs: 3_000 } } })).status).toBe(200);
  const ledgerBefore = (await system.sandboxCall('GET', '/_sandbox/pve/ledger')).body.entries.length;
  const { status, body } = await system.post('/api/v1/tasks', { type: 'vm.clone', createdBy: 'e2e', params: { templateVmid: 9000, count: COUNT, namePattern: 'rep-{index:2}' } });
  expect(status).toBe(201);
  const taskId: string = body.taskId;

  // Both replicas have clones copying: kill one without warning, then bring it back.
  await waitFor(async () => (await copying()) >= 8, { description: '8 clones copying', timeoutMs: 20_000 });
  await system.vmCloneWorker!.kill('SIGKILL');
  await system.vmCloneWorker!.restart();

  // The other is stopped gracefully while clones copy again (redelivered ones or the last of the 20).
  await waitFor(async () => (await copying()) >= 1 && (await system.task(taskId)).subtasks.some((s) => s.status === 'success'), { description: 'clones copying after the restart', timeoutMs: 30_000 });
  await replicaB.stop();
  await replicaB.restart();

  const task = await system.finished(taskId, 90_000);
  await system.sandboxCall('DELETE', '/_sandbox/pve/faults');
  expect(task.subtasks.filter((s) => s.status !== 'success').map((s) => `${s.name}: ${s.status} ${s.responseCode} ${s.responseMessage}`)).toEqual([]);
  expect(task.status).toBe('success');

  const created = ((await system.sandboxCall('GET', '/_sandbox/pve/ledger')).body.entries as Array<{ event: string; vmid: number; name: string }>).slice(ledgerBefore).filter((e) => e.event === 'created');
  expect(created.map((vm) => vm.name).sort()).toEqual(Array.from({ length: COUNT }, (_, i) => `rep-${String(i + 1).padStart(2, '0')}`));
  expect(new Set(created.map((vm) => vm.vmid)).size).toBe(COUNT);
  expect(task.subtasks.map((s) => Number(s.objectId)).sort()).toEqual(created.map((vm) => vm.vmid).sort());
  expect((await vms()).filter((vm) => vm.lock !== null)).toEqual([]);

  // The crash, the stop and the lost answers did happen: redelivered attempts found their own clones.
  const events = await system.events(taskId);
  expect(task.subtasks.some((s) => s.attempt > 1 && s.responseMessage?.includes('by an earlier attempt'))).toBe(true);
  expect(events.some((e) => e.type === 'SubTaskAttemptFailed' && e.data.responseCode === 'PVE_TIMEOUT')).toBe(true);
  // Reservations are given back once their clone is done (a crash between a claim and its log record
  // may leave one on a VMID nothing was cloned into).
  const store = new JetStreamVmidReservations(system.js, system.topology);
  expect((await Promise.all(created.map((vm) => store.get(vm.vmid)))).filter((r) => r !== undefined)).toEqual([]);
}, 150_000);
