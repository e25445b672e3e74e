// The power and migrate handlers against the sandbox's Proxmox simulator over HTTP: each delivered
// twice, each finding the VM where it is now.

import type { PveClient } from '@vle/integrations';
import type { JobContext, JobHandler, JobInput } from '@vle/messaging';
import { jobContext, jobInput } from '@vle/messaging/testing';
import { startInProcessSandbox, type InProcessSandbox } from '@vle/sandbox/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMigrateVmHandler } from './migrate-vm.handler.js';
import { createPowerHandlers } from './power.handlers.js';

let sandbox: InProcessSandbox;
let pve: PveClient;
let handlers: Record<'start' | 'stop' | 'reset' | 'migrate', JobHandler>;

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  pve = sandbox.pveClient();
  const deps = { pve, pollMs: 20 };
  handlers = { ...createPowerHandlers(deps), migrate: createMigrateVmHandler(deps) };
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  await sandbox.pve('POST', 'reset', {});
  await sandbox.pve('POST', 'vms', { vmid: 4300, name: 'lab-vm', node: 'pve1', storage: 'ceph-vm' });
});

function delivery(attempt = 1): JobContext {
  return jobContext({ attempt, object: { type: 'vm', id: '4300' } });
}

function job(action: keyof typeof handlers, params: Record<string, unknown> = {}): JobInput {
  return jobInput('pve_vm_actions', action, { vmid: 4300, ...params }, { objectType: 'vm', objectId: '4300' });
}

async function run(action: keyof typeof handlers, params?: Record<string, unknown>): Promise<string | undefined> {
  return (await handlers[action](job(action, params), delivery())).responseMessage;
}

describe('start and stop', () => {
  it('change the VM\'s status, and a second delivery finds it done', async () => {
    expect(await run('start')).toBe('VM 4300 on pve1 started: OK');
    expect((await pve.findVm(4300))?.status).toBe('running');
    expect(await run('start')).toBe('VM 4300 on pve1 is already running');
    expect(await run('stop')).toBe('VM 4300 on pve1 stopped: OK');
    expect((await pve.findVm(4300))?.status).toBe('stopped');
    expect(await run('stop')).toBe('VM 4300 on pve1 is already stopped');
  });

  it('fail permanently for a VM that does not exist', async () => {
    await expect(handlers.start(job('start', { vmid: 4999 }), delivery())).rejects.toMatchObject({ permanent: true, responseCode: 'PVE_NOT_FOUND' });
  });

  it('act on the VM of the SubTask they depend on when the plan could not name it (a start behind a clone)', async () => {
    const behindClone: JobContext = { ...delivery(), dependencies: [{ key: 'clone', action: 'clone', object: { type: 'vm', id: '4300' } }] };
    const input = { ...job('start'), params: {} };
    expect((await handlers.start(input, behindClone)).responseMessage).toBe('VM 4300 on pve1 started: OK');
    await expect(handlers.start(input, delivery())).rejects.toMatchObject({ permanent: true, responseCode: 'INVALID_PARAMS', message: 'invalid job params: params.vmid: is required unless the SubTask depends on a SubTask about a VM or names it (vmName)' });
  });

  it('find a VM by its name when the plan names it so (an event\'s VMs)', async () => {
    const byName = { ...job('stop'), params: { vmName: 'lab-vm' } };
    await run('start');
    expect((await handlers.stop(byName, delivery())).responseMessage).toBe('VM 4300 on pve1 stopped: OK');
    await expect(handlers.stop({ ...byName, params: { vmName: 'no-such-vm' } }, delivery())).rejects.toMatchObject({ permanent: true, responseCode: 'PVE_NOT_FOUND', message: 'VM "no-such-vm" does not exist on the cluster (it is not in /cluster/resources)' });
    expect((await handlers.stop({ ...byName, params: { vmName: 'no-such-vm', ifExists: true } }, delivery())).responseMessage).toBe('VM "no-such-vm" does not exist: nothing to stop');
    await expect(handlers.start({ ...byName, params: { vmName: 'no-such-vm', ifExists: true } }, delivery())).rejects.toMatchObject({ responseCode: 'PVE_NOT_FOUND' });
    await sandbox.pve('POST', 'vms', { vmid: 4301, name: 'lab-vm', node: 'pve2' });
    await expect(handlers.stop(byName, delivery())).rejects.toMatchObject({ permanent: true, responseCode: 'PVE_AMBIGUOUS' });
  });
});

describe('reset', () => {
  it('of a stopped VM fails at once with Proxmox\'s message; of a running one it succeeds', async () => {
    await expect(handlers.reset(job('reset'), delivery())).rejects.toMatchObject({ permanent: true, message: 'VM 4300 not running' });
    await run('start');
    expect(await run('reset')).toBe('VM 4300 on pve1 reset: OK');
  });
});

describe('migrate', () => {
  it('moves the VM from where it is now, online when it runs, and a second delivery finds it there', async () => {
    await run('start');
    expect(await run('migrate', { targetNode: 'pve2' })).toBe('VM 4300 migrated from pve1 to pve2 (online): OK');
    expect(await pve.findVm(4300)).toMatchObject({ node: 'pve2', status: 'running' });
    expect(await run('migrate', { targetNode: 'pve2' })).toBe('VM 4300 is on pve2');
    // Planned for pve2, run after a person moved it to pve3: it goes from pve3.
    await run('stop');
    await run('migrate', { targetNode: 'pve3' });
    expect(await run('migrate', { targetNode: 'pve1' })).toBe('VM 4300 migrated from pve3 to pve1: OK');
  });
});
