// The clone and delete handlers against the sandbox's Proxmox simulator over HTTP, each delivered
// more than once the way the job runtime would: after a crash, after a lost answer, after a race.

import { isPveError, type PveClient } from '@vle/integrations';
import type { JobContext, JobHandler, JobInput } from '@vle/messaging';
import { startInProcessSandbox, type InProcessSandbox } from '@vle/sandbox/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCloneVmHandler } from './clone-vm.handler.js';
import { createDeleteVmHandler } from './delete-vm.handler.js';

let sandbox: InProcessSandbox;
let pve: PveClient;
let clone: JobHandler;
let remove: JobHandler;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  pve = sandbox.pveClient({ timeoutMs: 500 });
  const deps = { pve, pollMs: 20 };
  clone = createCloneVmHandler(deps);
  remove = createDeleteVmHandler(deps);
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await sandbox.pve('POST', 'reset', { timings: { qmclone: 200 } });
});

/** The SubTask as the log holds it, across deliveries: what the runtime passes in JobContext.object. */
class SubTaskLog {
  object: { type?: string; id?: string };
  readonly reservations: string[] = [];

  constructor(readonly job: JobInput) {
    this.object = { type: job.objectType, id: job.objectId };
  }

  delivery(attempt: number): JobContext {
    return {
      attempt,
      lastAttempt: false,
      heartbeat: () => {},
      signal: new AbortController().signal,
      object: { ...this.object },
      reserveObject: async (type, id) => {
        this.reservations.push(id);
        this.object = { type, id };
      },
      dependencies: [],
    };
  }
}

function cloneJob(params: Record<string, unknown>): SubTaskLog {
  return new SubTaskLog({ taskId: randomUUID(), subTaskId: randomUUID(), generation: 1, queue: 'pve_vm_clone', action: 'clone', objectType: 'template', objectId: '9000', params: { templateVmid: 9000, full: false, ...params } });
}

async function created(): Promise<Array<{ vmid: number; name: string }>> {
  return (await sandbox.pve('GET', 'ledger')).entries.filter((e: { event: string }) => e.event === 'created');
}

async function failure(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error,
  );
}

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
  });

  it('after a lost answer, waits for the clone Proxmox is still running and counts it', async () => {
    await sandbox.pve('PUT', 'timings', { qmclone: 1_500 });
    await sandbox.pve('PUT', 'faults', { endpoints: { 'POST /nodes/{node}/qemu/{vmid}/clone': { timeoutRate: 1, hangMs: 2_000 } } });
    const log = cloneJob({ name: 'lost-answer' });
    const error = await failure(clone(log.job, log.delivery(1)));
    expect(isPveError(error) && [error.kind, error.transient]).toEqual(['timeout', true]);
    await sandbox.pve('DELETE', 'faults');
    const vmid = Number(log.reservations[0]);
    expect((await pve.findVm(vmid))?.lock).toBe('clone');
    const again = await clone(log.job, log.delivery(2));
    expect(again.responseMessage).toBe(`VM ${vmid} "lost-answer" on pve1 was cloned from 9000 by an earlier attempt`);
    expect((await pve.findVm(vmid))?.lock).toBeUndefined();
    expect((await created()).map((vm) => vm.vmid)).toEqual([vmid]);
  });

  it('reserves a fresh VMID when another clone took the reserved one', async () => {
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

  it('clones again under the reserved VMID when the earlier attempt never got to clone', async () => {
    const log = cloneJob({ name: 'not-yet' });
    log.object = { type: 'vm', id: '4101' };
    const result = await clone(log.job, log.delivery(2));
    expect(result.responseMessage).toContain('VM 4101 "not-yet" cloned');
    expect(log.reservations).toEqual([]);
  });

  it('answers a clone race ("config file already exists") as transient', async () => {
    const log = cloneJob({ name: 'racing' });
    const [a, b] = [cloneJob({ name: 'racer-a' }), cloneJob({ name: 'racer-b' })];
    // Two other replicas (their own handler instances) ask nextid at the same time as this one.
    const others = [createCloneVmHandler({ pve, pollMs: 20 }), createCloneVmHandler({ pve, pollMs: 20 })];
    const results = await Promise.allSettled([clone(log.job, log.delivery(1)), others[0]!(a.job, a.delivery(1)), others[1]!(b.job, b.delivery(1))]);
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason);
    expect(refused.length).toBeGreaterThan(0);
    for (const error of refused) expect(isPveError(error) && [error.kind, error.transient, error.message]).toEqual(['config_exists', true, expect.stringMatching(/^unable to create VM \d+: config file already exists$/)]);
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
    expect(await failure(clone(log.job, log.delivery(1)))).toMatchObject({ permanent: true, responseCode: 'BAD_PARAMS', message: 'job params.name must be a string' });
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
