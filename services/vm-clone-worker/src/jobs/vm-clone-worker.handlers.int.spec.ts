// The clone and delete handlers against the sandbox's Proxmox simulator over HTTP and the VMID
// reservations on the real NATS, each delivered more than once the way the job runtime would: after a
// crash during the copy, after a lost answer, after a race between replicas.

import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology } from '@vle/contracts';
import { connectNats } from '@vle/event-store';
import { isPveError, type PveClient } from '@vle/integrations';
import { type JobHandler, type JobInput } from '@vle/messaging';
import { JetStreamVmidReservations } from '@vle/pve-state';
import { ObjectLog } from '@vle/messaging/testing';
import { startInProcessSandbox, type InProcessSandbox } from '@vle/sandbox/testing';
import { testNamespace, waitFor } from '@vle/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCloneVmHandler } from './clone-vm.handler.js';
import { createDeleteVmHandler } from './delete-vm.handler.js';

const CLONE = 'POST /nodes/{node}/qemu/{vmid}/clone';
let sandbox: InProcessSandbox;
let pve: PveClient;
let nc: NatsConnection;
let jsm: JetStreamManager;
const topology = new Topology({ namespace: testNamespace('vmclone') });
let reservations: JetStreamVmidReservations;
let clone: JobHandler;
let remove: JobHandler;

/** Another vm-clone-worker replica: its own handler and reservation client on the same stream. */
const replica = (): JobHandler => createCloneVmHandler({ pve, pollMs: 20, reservations: new JetStreamVmidReservations(jetstream(nc), topology) });

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  pve = sandbox.pveClient({ timeoutMs: 500 });
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'vm-clone-worker-int');
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ ...topology.vmidReservationStream });
  reservations = new JetStreamVmidReservations(jetstream(nc), topology);
  const deps = { pve, pollMs: 20, reservations };
  clone = createCloneVmHandler(deps);
  remove = createDeleteVmHandler(deps);
});

afterAll(async () => {
  await jsm?.streams.delete(topology.vmidReservationStream.name).catch(() => undefined);
  await nc?.close();
  await sandbox.close();
});

beforeEach(async () => {
  await sandbox.pve('POST', 'reset', { timings: { qmclone: 200 } });
  await jsm.streams.purge(topology.vmidReservationStream.name);
});

/** The SubTask as the log holds it, across deliveries: what the runtime passes in JobContext.object. */
class SubTaskLog extends ObjectLog {
  constructor(readonly job: JobInput) {
    super({ type: job.objectType, id: job.objectId });
  }
}

function cloneJob(params: Record<string, unknown>): SubTaskLog {
  return new SubTaskLog({ taskId: randomUUID(), subTaskId: randomUUID(), generation: 1, queue: 'pve_vm_clone', action: 'clone', objectType: 'template', objectId: '9000', params: { templateVmid: 9000, full: false, ...params } });
}

async function created(): Promise<Array<{ vmid: number; name: string }>> {
  return (await sandbox.pve('GET', 'ledger')).entries.filter((e: { event: string }) => e.event === 'created');
}

async function simulatedVm(vmid: number): Promise<{ vmid: number; name: string; lock: string | null } | undefined> {
  return (await sandbox.pve('GET', 'state')).vms.find((vm: { vmid: number }) => vm.vmid === vmid);
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

const PLACEHOLDER = { description: ' qmclone temporary file\n', lock: 'clone', digest: expect.any(String) };

describe('clone', () => {
  it('reserves the VMID before cloning, and a second delivery finds the VM instead of cloning again', async () => {
    const log = cloneJob({ name: 'twice' });
    const first = await clone(log.job, log.delivery(1));
    expect(first.responseMessage).toMatch(/^VM \d+ "twice" cloned from 9000 on pve1: OK$/);
    expect(log.reservations).toHaveLength(1);
    const again = await clone(log.job, log.delivery(2));
    expect(again.responseMessage).toContain('by an earlier attempt');
    expect(log.reservations).toHaveLength(1);
    expect((await created()).map((vm) => [vm.vmid, vm.name])).toEqual([[Number(log.reservations[0]), 'twice']]);
    // Done: the VM's config guards the VMID now, so the reservation is given back.
    expect(await reservations.get(Number(log.reservations[0]))).toBeUndefined();
  });

  it('a redelivery during the copy after a lost answer sees the placeholder and waits for its own clone', async () => {
    await sandbox.pve('PUT', 'timings', { qmclone: 1_500 });
    await sandbox.pve('PUT', 'faults', { endpoints: { [CLONE]: { timeoutRate: 1, hangMs: 2_000 } } });
    const log = cloneJob({ name: 'lost-answer' });
    const error = await failure(clone(log.job, log.delivery(1)));
    expect(isPveError(error) && [error.kind, error.transient]).toEqual(['timeout', true]);
    await sandbox.pve('DELETE', 'faults');
    const vmid = Number(log.reservations[0]);
    // What real Proxmox answers while it copies: nothing tells whose clone this is.
    expect(await pve.vmConfig('pve1', vmid)).toEqual(PLACEHOLDER);
    expect((await pve.findVm(vmid))?.name).toBeUndefined();
    const again = await clone(log.job, log.delivery(2));
    expect(again.responseMessage).toBe(`VM ${vmid} "lost-answer" on pve1 was cloned from 9000 by an earlier attempt`);
    expect((await pve.findVm(vmid))?.lock).toBeUndefined();
    expect((await created()).map((vm) => [vm.vmid, vm.name])).toEqual([[vmid, 'lost-answer']]);
  });

  it('a redelivery during the copy after a crash waits for the clone task the crashed attempt started', async () => {
    await sandbox.pve('PUT', 'timings', { qmclone: 1_500 });
    const log = cloneJob({ name: 'crashed' });
    const crash = new AbortController();
    const first = failure(clone(log.job, log.delivery(1, { signal: crash.signal })));
    const vmid = await waitFor(async () => {
      const id = Number(log.reservations[0]);
      return id && (await simulatedVm(id))?.lock === 'clone' ? id : undefined;
    }, { description: 'the clone copying in Proxmox' });
    crash.abort(new Error('worker killed'));
    expect(await first).toMatchObject({ message: 'worker killed' });
    expect(await pve.vmConfig('pve1', vmid)).toEqual(PLACEHOLDER);
    // The crashed attempt recorded which Proxmox task is its clone.
    expect(await reservations.get(vmid)).toMatchObject({ subTaskId: log.job.subTaskId, attempt: 1, upid: expect.stringMatching(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8,9}:[0-9A-F]{8}:qmclone:9000:/) });
    const again = await clone(log.job, log.delivery(2));
    expect(again.responseMessage).toBe(`VM ${vmid} "crashed" on pve1 was cloned from 9000 by an earlier attempt`);
    expect((await created()).map((vm) => [vm.vmid, vm.name])).toEqual([[vmid, 'crashed']]);
    expect(log.reservations).toEqual([String(vmid)]);
  });

  it('does not adopt a clone someone else started into the reserved VMID: it waits for its end, then takes a fresh VMID', async () => {
    await sandbox.pve('PUT', 'timings', { qmclone: 800 });
    const log = cloneJob({ name: 'mine' });
    // Attempt 1 reserved 4150 (store and log) and died before cloning; a person then cloned into 4150 in the UI.
    await reservations.claim(4150, { taskId: log.job.taskId, subTaskId: log.job.subTaskId, generation: 1, attempt: 1 });
    log.object = { type: 'vm', id: '4150' };
    await pve.cloneVm('pve1', 9000, { newid: 4150, name: 'someone-elses', description: 'made by hand' });
    expect(await pve.vmConfig('pve1', 4150)).toEqual(PLACEHOLDER);
    const result = await clone(log.job, log.delivery(2));
    expect(result.responseMessage).not.toContain('earlier attempt');
    const mine = Number(log.object.id);
    expect(mine).not.toBe(4150);
    expect(result.responseMessage).toBe(`VM ${mine} "mine" cloned from 9000 on pve1: OK`);
    expect((await created()).map((vm) => [vm.vmid, vm.name]).sort()).toEqual([[4150, 'someone-elses'], [mine, 'mine']].sort());
    expect(await reservations.get(4150)).toBeUndefined();
  });

  it('reserves a fresh VMID when another VM took the reserved one', async () => {
    const log = cloneJob({ name: 'mine' });
    // Attempt 1 reserved 100 and died before cloning; someone else's VM took 100 meanwhile.
    log.object = { type: 'vm', id: '100' };
    await sandbox.pve('POST', 'vms', { vmid: 100, name: 'someone-else', node: 'pve2' });
    await clone(log.job, log.delivery(2));
    expect(log.reservations).toHaveLength(1);
    expect(log.reservations[0]).not.toBe('100');
    expect((await pve.findVm(100))?.name).toBe('someone-else');
    expect((await created()).map((vm) => vm.name)).toEqual(['mine']);
  });

  it('a failed clone task removes the placeholder, and the next attempt clones again under the reservation', async () => {
    await sandbox.pve('PUT', 'faults', { endpoints: { [CLONE]: { taskFailureRate: 1 } } });
    const log = cloneJob({ name: 'second-try' });
    const error = await failure(clone(log.job, log.delivery(1)));
    expect(error).toMatchObject({ transient: true, responseCode: 'PVE_TASK', message: "clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout" });
    const vmid = Number(log.reservations[0]);
    expect(await pve.findVm(vmid)).toBeUndefined();
    expect((await reservations.get(vmid))?.subTaskId).toBe(log.job.subTaskId);
    await sandbox.pve('DELETE', 'faults');
    const again = await clone(log.job, log.delivery(2));
    expect(again.responseMessage).toBe(`VM ${vmid} "second-try" cloned from 9000 on pve1: OK`);
    expect(log.reservations).toEqual([String(vmid)]);
    expect((await created()).map((vm) => [vm.vmid, vm.name])).toEqual([[vmid, 'second-try']]);
  });

  it('clones again under the reserved VMID when the earlier attempt never got to clone', async () => {
    const log = cloneJob({ name: 'not-yet' });
    log.object = { type: 'vm', id: '4101' };
    const result = await clone(log.job, log.delivery(2));
    expect(result.responseMessage).toContain('VM 4101 "not-yet" cloned');
    expect(log.reservations).toEqual([]);
  });

  it('replicas cloning at once never collide on nextid: each SubTask gets its own VMID in its first attempt', async () => {
    await sandbox.pve('PUT', 'timings', { qmclone: 300 });
    const logs = Array.from({ length: 6 }, (_, i) => cloneJob({ name: `racer-${i}` }));
    const replicas = [clone, replica(), replica()];
    const results = await Promise.allSettled(logs.map((log, i) => replicas[i % 3]!(log.job, log.delivery(1))));
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    const vmids = logs.map((log) => Number(log.object.id));
    expect(new Set(vmids).size).toBe(6);
    expect((await created()).map((vm) => [vm.vmid, vm.name]).sort()).toEqual(logs.map((log, i) => [vmids[i], `racer-${i}`]).sort());
  });

  it('fails permanently with Proxmox\'s message for a template that does not exist', async () => {
    const log = new SubTaskLog({ taskId: randomUUID(), subTaskId: randomUUID(), generation: 1, queue: 'pve_vm_clone', action: 'clone', params: { templateVmid: 9999, name: 'nothing', full: false } });
    const error = await failure(clone(log.job, log.delivery(1)));
    expect(error).toMatchObject({ permanent: true, responseCode: 'PVE_500' });
    expect((error as Error).message).toMatch(/^Configuration file 'nodes\/pve1\/qemu-server\/9999.conf' does not exist/);
    expect(log.reservations).toEqual([]);
  });

  it('refuses a job whose params are not a clone\'s, without retrying', async () => {
    const log = cloneJob({ name: 42 });
    expect(await failure(clone(log.job, log.delivery(1)))).toMatchObject({ permanent: true, responseCode: 'INVALID_PARAMS', message: 'invalid job params: params.name: Invalid input: expected string, received number' });
    expect(log.reservations).toEqual([]);
  });
});

describe('delete', () => {
  function deleteJob(vmid: number): SubTaskLog {
    return new SubTaskLog({ taskId: randomUUID(), subTaskId: randomUUID(), generation: 1, queue: 'pve_vm_clone', action: 'delete', objectType: 'vm', objectId: String(vmid), params: { vmid } });
  }

  it('stops a running VM first, and a second delivery counts the VM as deleted', async () => {
    await sandbox.pve('POST', 'vms', { vmid: 4200, name: 'doomed', node: 'pve3', status: 'running' });
    const log = deleteJob(4200);
    expect((await remove(log.job, log.delivery(1))).responseMessage).toBe('VM 4200 "doomed" deleted from pve3 after stopping it: OK');
    expect(await pve.findVm(4200)).toBeUndefined();
    expect((await remove(log.job, log.delivery(2))).responseMessage).toBe('VM 4200 does not exist (already deleted)');
  });

  it('finds the VM by name when the plan names it so, and a VM of that name already gone counts as deleted', async () => {
    await sandbox.pve('POST', 'vms', { vmid: 4202, name: 'ev42-alice', node: 'pve2' });
    const log = new SubTaskLog({ taskId: randomUUID(), subTaskId: randomUUID(), generation: 1, queue: 'pve_vm_clone', action: 'delete', objectType: 'vm', params: { vmName: 'ev42-alice' } });
    expect((await remove(log.job, log.delivery(1))).responseMessage).toBe('VM 4202 "ev42-alice" deleted from pve2: OK');
    expect((await remove(log.job, log.delivery(2))).responseMessage).toBe('VM "ev42-alice" does not exist (already deleted)');
  });

  it('answers a VM another task holds (a migration) as transient: the runtime retries it later', async () => {
    await sandbox.pve('POST', 'vms', { vmid: 4201, name: 'locked', node: 'pve1', lock: 'migrate' });
    const log = deleteJob(4201);
    const error = await failure(remove(log.job, log.delivery(1)));
    expect(error).toMatchObject({ transient: true });
    expect((error as Error).message).toContain('VM is locked (migrate)');
  });
});
