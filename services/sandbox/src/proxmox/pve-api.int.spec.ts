// The simulator over real HTTP: the sandbox's AppModule in this process on a free port, driven with
// fetch exactly as a Proxmox client would drive pveproxy.

import { waitFor } from '@vle/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_PVE_TOKEN } from '../config.js';
import { startInProcessSandbox, type InProcessSandbox } from '../testing/in-process-sandbox.js';

let sandbox: InProcessSandbox;
let origin: string;
const auth = { Authorization: `PVEAPIToken=${DEV_PVE_TOKEN}` };

beforeAll(async () => {
  sandbox = await startInProcessSandbox();
  origin = sandbox.url;
});

afterAll(async () => {
  await sandbox.close();
});

beforeEach(async () => {
  const reset = await control('POST', 'reset');
  if (reset.status !== 200) throw new Error(`reset answered ${reset.status}`);
});

const pve = (method: string, path: string, form?: Record<string, string>, headers: Record<string, string> = auth): Promise<Response> =>
  fetch(`${origin}/pve/api2/json${path}`, { method, headers, body: form ? new URLSearchParams(form) : undefined });

const control = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${origin}/_sandbox/pve/${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

// The JSON documents these tests read; `any` would hide a typo in a field name.
interface Json {
  data?: unknown;
  errors?: Record<string, string>;
  field?: string;
  counts?: { created: number; deleted: number; live: number };
  vms?: { vmid: number }[];
}
const jsonOf = async (response: Response): Promise<Json> => (await response.json()) as Json;

async function taskOf(upid: string): Promise<{ status: string; exitstatus?: string }> {
  const node = upid.split(':')[1]!;
  const response = await pve('GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`);
  return ((await response.json()) as { data: { status: string; exitstatus?: string } }).data;
}

const stopped = (upid: string) => waitFor(async () => ((await taskOf(upid)).status === 'stopped' ? taskOf(upid) : undefined), { description: `task ${upid} to stop` });

describe('the Proxmox simulator over HTTP', () => {
  it('answers 401 without a body, with pveproxy reason phrases', async () => {
    const missing = await pve('GET', '/version', undefined, {});
    expect([missing.status, missing.statusText, await missing.text()]).toEqual([401, 'No ticket', '']);
    const wrong = await pve('GET', '/version', undefined, { Authorization: 'PVEAPIToken=vle@pve!tasks=00000000-0000-0000-0000-000000000000' });
    expect([wrong.status, wrong.statusText]).toEqual([401, 'invalid token value!']);
    const version = await pve('GET', '/version');
    expect(await version.json()).toMatchObject({ data: { version: '9.1.3', release: '9.1' } });
  });

  it('verifies parameters against the schema and answers unknown paths with 501', async () => {
    const bad = await pve('POST', '/nodes/pve1/qemu/9000/clone', { newid: '42', full: 'maybe' });
    expect([bad.status, bad.statusText]).toEqual([400, 'Parameter verification failed.']);
    expect(await bad.json()).toEqual({
      data: null,
      errors: { newid: 'value must have a minimum value of 100', full: "type check ('boolean') failed - got 'maybe'" },
      message: 'Parameter verification failed.\n',
    });
    const unknown = await pve('GET', '/nodes/pve1/lxc');
    expect([unknown.status, unknown.statusText]).toEqual([501, "Method 'GET /nodes/pve1/lxc' not implemented"]);
    const wrongMethod = await pve('GET', '/nodes/pve1/qemu/9000/clone');
    expect(wrongMethod.status).toBe(501);
    const empty = await pve('POST', '/nodes/pve1/qemu/9000/clone');
    expect((await jsonOf(empty)).errors).toEqual({ newid: 'property is missing and it is not optional' });
  });

  it('refuses a body that is not form-encoded', async () => {
    const response = await fetch(`${origin}/pve/api2/json/nodes/pve1/qemu/9000/clone`, { method: 'POST', headers: { ...auth, 'Content-Type': 'text/plain' }, body: 'newid=4101' });
    expect([response.status, response.statusText]).toEqual([506, "upload 'Content-Type 'text/plain' not implemented"]);
  });

  it('clones: UPID at once, lock: clone until the task is OK, then the ledger has it', async () => {
    const response = await pve('POST', '/nodes/pve1/qemu/9000/clone', { newid: '4101', name: 'lab-ev42-s07', full: '0', pool: 'ev42' });
    const { data: upid } = (await response.json()) as { data: string };
    expect(upid).toMatch(/^UPID:pve1:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:qmclone:9000:vle@pve!tasks:$/);
    const during = (await (await pve('GET', '/cluster/resources?type=vm')).json()) as { data: { vmid: number; lock?: string }[] };
    expect(during.data.find((row) => row.vmid === 4101)?.lock).toBe('clone');
    const duplicate = await pve('POST', '/nodes/pve1/qemu/9000/clone', { newid: '4101' });
    expect([duplicate.status, duplicate.statusText]).toEqual([500, 'unable to create VM 4101: config file already exists']);

    expect(await stopped(upid)).toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    const status = (await (await pve('GET', '/nodes/pve1/qemu/4101/status/current')).json()) as { data: Record<string, unknown> };
    expect(status.data).toMatchObject({ vmid: 4101, name: 'lab-ev42-s07', status: 'stopped' });
    expect(status.data.lock).toBeUndefined();
    const ledger = (await (await control('GET', 'ledger')).json()) as { counts: unknown; entries: unknown[] };
    expect(ledger.counts).toEqual({ created: 1, deleted: 0, live: 1 });
    expect(ledger.entries[0]).toMatchObject({ event: 'created', vmid: 4101, node: 'pve1', name: 'lab-ev42-s07', sourceVmid: 9000, upid });
  });

  it('answers a VM on another node, a running VM and nextid of a taken id as Proxmox does', async () => {
    const elsewhere = await pve('DELETE', '/nodes/pve2/qemu/9000');
    expect(await elsewhere.json()).toEqual({ data: null, message: "Configuration file 'nodes/pve2/qemu-server/9000.conf' does not exist\n" });
    expect((await control('POST', 'vms', { vmid: 500, name: 'busy', node: 'pve1', status: 'running' })).status).toBe(201);
    const running = await pve('DELETE', '/nodes/pve1/qemu/500');
    expect([running.status, running.statusText]).toEqual([500, 'VM 500 is running - destroy failed']);
    const taken = await pve('GET', '/cluster/nextid?vmid=9000');
    expect([taken.status, await taken.json()]).toEqual([400, { data: null, errors: { vmid: 'VM 9000 already exists' }, message: 'Parameter verification failed.\n' }]);
  });

  it('injects a transient error without doing the work, and a timeout that does it', async () => {
    const key = 'POST /nodes/{node}/qemu/{vmid}/clone';
    await control('PUT', 'faults', { seed: 1, endpoints: { [key]: { errorRate: 1 } } });
    const refused = await pve('POST', '/nodes/pve1/qemu/9000/clone', { newid: '4101' });
    expect([refused.status, refused.statusText]).toEqual([500, "can't lock file '/var/lock/qemu-server/lock-9000.conf' - got timeout"]);
    expect((await jsonOf(await control('GET', 'state'))).vms?.map((vm) => vm.vmid)).toEqual([9000, 9001]);

    await control('PUT', 'faults', { endpoints: { [key]: { timeoutRate: 1, hangMs: 200, timeoutMode: 'reset' } } });
    const timedOut = await pve('POST', '/nodes/pve1/qemu/9000/clone', { newid: '4102' }, auth).catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(Error); // fetch cannot tell: the connection was dropped
    expect(await waitFor(async () => (await jsonOf(await control('GET', 'ledger'))).counts?.created === 1, { description: 'the clone to be done anyway' })).toBe(true);
    await control('DELETE', 'faults');
  });

  it('fails a task with the configured exit status', async () => {
    await control('PUT', 'faults', { endpoints: { 'POST /nodes/{node}/qemu/{vmid}/clone': { taskFailureRate: 1 } } });
    const { data: upid } = (await (await pve('POST', '/nodes/pve1/qemu/9000/clone', { newid: '4101' })).json()) as { data: string };
    expect((await stopped(upid)).exitstatus).toBe("clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout");
    expect((await jsonOf(await control('GET', 'ledger'))).counts?.created).toBe(0);
  });

  it('validates control bodies and names the field', async () => {
    const bad = await control('PUT', 'faults', { endpoints: { '*': { errorRate: 2 } } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'endpoints.*.errorRate' });
    const unknown = await control('PUT', 'timings', { qmclone: 10, colour: 'red' });
    expect(await unknown.json()).toMatchObject({ field: 'colour' });
    const timings = await control('PUT', 'timings', { qmclone: 10 });
    expect(await timings.json()).toMatchObject({ timings: { qmclone: 10, qmstart: 100 } });
  });

  it('is listed by the sandbox with its base URL', async () => {
    const info = (await (await fetch(`${origin}/_sandbox/info`)).json()) as { service: string; simulators: unknown[] };
    expect(info.service).toBe('sandbox');
    expect(info.simulators).toContainEqual({ name: 'proxmox', baseUrl: `${origin}/pve` });
  });
});
