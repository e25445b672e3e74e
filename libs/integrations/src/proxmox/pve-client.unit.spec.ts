// Every client method against a local HTTP server that answers like pveproxy (parameter check over
// the official 9.1.3 schema, error bodies and reason phrases) and records what it was sent.

import http, { type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PveClient } from './pve-client.js';
import { PveError, PveTaskFailed } from './pve-error.js';
import { checkPveParameters, matchPveEndpoint, pveEndpoints } from './schema/pve-schema.js';

const TOKEN_ID = 'vle@pve!tasks';
const SECRET = '5ec7e7aa-0b1c-4d2e-8f90-a1b2c3d4e5f6';
const PREFIX = '/pve/api2/json';
const upidOf = (node: string, type: string, id: number | string) => `UPID:${node}:0003A1F2:01B2C3D4:6650F00D:${type}:${id}:${TOKEN_ID}:`;

interface Recorded {
  readonly method: string;
  /** Below /api2/json, still encoded. */
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: Record<string, string>;
  readonly headers: IncomingHttpHeaders;
}

type Override = (request: Recorded, res: ServerResponse) => boolean;

const resources = [
  { id: 'node/pve1', type: 'node', node: 'pve1', status: 'online', cpu: 0.05, maxcpu: 16, mem: 8e9, maxmem: 64e9, uptime: 86400 },
  { id: 'storage/pve1/local-lvm', type: 'storage', node: 'pve1', storage: 'local-lvm', status: 'available', shared: 0, content: 'images,rootdir' },
  { id: 'qemu/9000', type: 'qemu', vmid: 9000, name: 'tpl-ubuntu', node: 'pve1', status: 'stopped', template: 1, pool: 'ev42', maxcpu: 2, maxmem: 2147483648 },
  { id: 'qemu/4101', type: 'qemu', vmid: 4101, name: 'lab-ev42-s07', node: 'pve2', status: 'running', template: 0, lock: 'clone', pool: 'ev42', cpu: 0.02, maxcpu: 2, mem: 1e9, maxmem: 2147483648 },
];

function answer(method: string, key: string, params: Record<string, string>, polls: Map<string, number>): unknown {
  switch (key) {
    case 'GET /version':
      return { version: '9.1.3', release: '9.1', repoid: 'a1b2c3d4e5f6a7b8' };
    case 'GET /cluster/nextid':
      return '4102'; // pve-manager answers the ID as a JSON string
    case 'GET /cluster/resources': {
      const type = params.type;
      return resources.filter((row) => !type || (type === 'vm' ? row.type === 'qemu' || row.type === 'lxc' : row.type === type));
    }
    case 'GET /nodes':
      return [{ node: 'pve1', status: 'online', cpu: 0.05, maxcpu: 16, mem: 8e9, maxmem: 64e9, uptime: 86400, level: '', ssl_fingerprint: '59:60:88' }];
    case 'GET /nodes/{node}/status':
      return { cpu: 0.05, cpuinfo: { cores: 8, cpus: 16, model: 'AMD EPYC', sockets: 1 }, memory: { total: 64e9, used: 8e9, free: 56e9, available: 56e9 }, rootfs: { total: 1e11, used: 1e10, free: 9e10, avail: 9e10 }, loadavg: ['0.10', '0.20', '0.30'], pveversion: 'pve-manager/9.1.3/a1b2c3d4', uptime: 86400 };
    case 'GET /nodes/{node}/qemu':
      return [{ vmid: 9000, status: 'stopped', name: 'tpl-ubuntu', template: 1, maxmem: 2147483648 }];
    case 'GET /nodes/{node}/qemu/{vmid}/config':
      return { name: 'lab-ev42-s07', memory: '2048', cores: 2, scsi0: 'local-lvm:vm-4101-disk-0,size=32G', digest: 'ab12' };
    case 'GET /nodes/{node}/qemu/{vmid}/status/current':
      return { vmid: Number(params.vmid), status: 'running', qmpstatus: 'running', name: 'lab-ev42-s07', uptime: 12, cpu: 0.01, cpus: 2, mem: 1e9, maxmem: 2147483648, ha: { managed: 0 } };
    case 'GET /nodes/{node}/tasks/{upid}/status': {
      const upid = params.upid!;
      const seen = (polls.get(upid) ?? 0) + 1;
      polls.set(upid, seen);
      const [, node, pid, pstart, starttime, type, id, user] = upid.split(':') as string[];
      const status = { upid, node, pid: parseInt(pid!, 16), pstart: parseInt(pstart!, 16), starttime: parseInt(starttime!, 16), type, id, user };
      return seen < 2 ? { ...status, status: 'running' } : { ...status, status: 'stopped', exitstatus: id === '666' ? "clone failed: can't lock file '/var/lock/pve-manager/pve-storage-local-lvm' - got timeout" : 'OK' };
    }
    default: {
      const type = { clone: 'qmclone', start: 'qmstart', stop: 'qmstop', shutdown: 'qmshutdown', reset: 'qmreset', migrate: 'qmigrate' }[key.split('/').pop()!] ?? (method === 'DELETE' ? 'qmdestroy' : 'unknown');
      return upidOf(params.node!, type, params.vmid!);
    }
  }
}

function send(res: ServerResponse, status: number, reason: string, body: unknown): void {
  res.writeHead(status, reason, { 'Content-Type': 'application/json;charset=UTF-8' }).end(JSON.stringify(body));
}

/** A pveproxy stand-in mounted below /pve, as the sandbox is. */
async function startFakePve() {
  const requests: Recorded[] = [];
  const polls = new Map<string, number>();
  const state: { override?: Override } = {};
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const [rawPath = '', search = ''] = (req.url ?? '').split('?');
      if (!rawPath.startsWith(PREFIX)) return send(res, 404, 'Not Found', { data: null });
      const recorded: Recorded = {
        method: req.method!,
        path: rawPath.slice(PREFIX.length),
        query: Object.fromEntries(new URLSearchParams(search)),
        body: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString())),
        headers: req.headers,
      };
      requests.push(recorded);
      if (state.override?.(recorded, res)) return;
      if (req.headers.authorization !== `PVEAPIToken=${TOKEN_ID}=${SECRET}`) return send(res, 401, 'Authentication failed!', { data: null });
      const matched = matchPveEndpoint(recorded.method, recorded.path);
      if (!matched) return send(res, 501, `Method '${recorded.method} ${recorded.path}' not implemented`, { data: null });
      const params = { ...matched.pathParams, ...recorded.query, ...recorded.body };
      const errors = checkPveParameters(matched.endpoint, params);
      if (Object.keys(errors).length > 0) return send(res, 400, 'Parameter verification failed.', { data: null, errors, message: 'Parameter verification failed.\n' });
      send(res, 200, 'OK', { data: answer(recorded.method, matched.endpoint.key, params, polls) });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/pve`,
    requests,
    state,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

let fake: Awaited<ReturnType<typeof startFakePve>>;
let client: PveClient;

beforeAll(async () => {
  fake = await startFakePve();
  client = new PveClient({ baseUrl: `${fake.url}/`, tokenId: TOKEN_ID, tokenSecret: SECRET, timeoutMs: 2000 });
});
afterEach(() => {
  fake.state.override = undefined;
});
afterAll(async () => {
  client.close();
  await fake.close();
});

/** Every request the client sent since `from`, checked as pveproxy checks it. */
function schemaErrors(from: number) {
  return fake.requests.slice(from).map((request) => {
    const matched = matchPveEndpoint(request.method, request.path);
    return { request: `${request.method} ${request.path}`, key: matched?.endpoint.key, errors: matched ? checkPveParameters(matched.endpoint, { ...matched.pathParams, ...request.query, ...request.body }) : 'no endpoint' };
  });
}

describe('PveClient requests', () => {
  it('sends every method as the official schema accepts it', async () => {
    const from = fake.requests.length;
    expect(await client.version()).toMatchObject({ version: '9.1.3' });
    expect(await client.nextId()).toBe(4102);
    expect(await client.nextId(4102)).toBe(4102);
    expect(await client.clusterResources()).toHaveLength(4);
    expect(await client.clusterResources('node')).toHaveLength(1);
    expect(await client.clusterResources('storage')).toHaveLength(1);
    expect(await client.findVm(4101)).toMatchObject({ vmid: 4101, node: 'pve2', lock: 'clone' });
    expect(await client.findVm(4999)).toBeUndefined();
    expect(await client.listVms('pve1')).toEqual([expect.objectContaining({ vmid: 9000 })]);
    expect(await client.nodes()).toEqual([expect.objectContaining({ node: 'pve1', status: 'online' })]);
    expect(await client.nodeStatus('pve1')).toMatchObject({ cpuinfo: { cpus: 16 } });
    expect(await client.vmStatus('pve2', 4101)).toMatchObject({ vmid: 4101, status: 'running' });
    expect(await client.vmConfig('pve2', 4101)).toMatchObject({ name: 'lab-ev42-s07' });
    const upid = await client.cloneVm('pve1', 9000, { newid: 4101, name: 'lab-ev42-s07', full: false, pool: 'ev42' });
    expect(upid).toBe(upidOf('pve1', 'qmclone', 9000));
    await client.cloneVm('pve1', 9000, { newid: 4102, name: 'lab-ev42-s08', full: true, target: 'pve2', pool: 'ev42/sub', storage: 'local-lvm', format: 'qcow2', description: 'Lab for EV42 student 8 — élève', snapname: 'base_1', bwlimit: 0 });
    await client.deleteVm('pve2', 4101);
    await client.deleteVm('pve2', 4101, { purge: true, destroyUnreferencedDisks: true, skiplock: false });
    await client.startVm('pve2', 4101);
    await client.startVm('pve2', 4101, { timeout: 60, skiplock: true });
    await client.stopVm('pve2', 4101);
    await client.stopVm('pve2', 4101, { timeout: 10, overruleShutdown: true, keepActive: false, skiplock: false });
    await client.shutdownVm('pve2', 4101);
    await client.shutdownVm('pve2', 4101, { timeout: 120, forceStop: true, keepActive: true, skiplock: false });
    await client.resetVm('pve2', 4101);
    await client.resetVm('pve2', 4101, { skiplock: true });
    await client.migrateVm('pve2', 4101, { target: 'pve1' });
    await client.migrateVm('pve2', 4101, { target: 'pve1', online: true, withLocalDisks: true, targetstorage: 'local-lvm', bwlimit: 10240 });
    expect(await client.taskStatus(upid)).toMatchObject({ upid, node: 'pve1', status: 'running' });
    expect(await client.waitForTask(upid, { pollMs: 1 })).toMatchObject({ upid, status: 'stopped', exitstatus: 'OK' });

    const checked = schemaErrors(from);
    expect(checked.filter(({ errors }) => errors === 'no endpoint' || Object.keys(errors).length > 0)).toEqual([]);
    // Every endpoint of the schema subset was exercised.
    expect(new Set(checked.map(({ key }) => key))).toEqual(new Set(pveEndpoints().map(({ key }) => key)));
  });

  it('authenticates with the API token and encodes writes as a form, booleans as 0/1', async () => {
    const from = fake.requests.length;
    await client.cloneVm('pve1', 9000, { newid: 4101, name: 'lab-ev42-s07', full: false, pool: 'ev42', description: 'a&b=c d' });
    await client.resetVm('pve2', 4101);
    await client.deleteVm('pve2', 4101, { purge: true, destroyUnreferencedDisks: false });
    await client.vmStatus('pve2', 4101);
    const [clone, reset, del, status] = fake.requests.slice(from);
    for (const request of [clone, reset, del, status]) {
      expect(request!.headers.authorization).toBe(`PVEAPIToken=${TOKEN_ID}=${SECRET}`);
      expect(request!.headers['user-agent']).toBe('vle-tasks-pve-client');
    }
    expect(clone).toMatchObject({ method: 'POST', path: '/nodes/pve1/qemu/9000/clone', query: {}, body: { newid: '4101', name: 'lab-ev42-s07', full: '0', pool: 'ev42', description: 'a&b=c d' } });
    expect(Object.keys(clone!.body)).not.toContain('target');
    expect(clone!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(reset!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(del).toMatchObject({ method: 'DELETE', path: '/nodes/pve2/qemu/4101', query: { purge: '1', 'destroy-unreferenced-disks': '0' }, body: {} });
    expect(status).toMatchObject({ method: 'GET', query: {}, body: {} });
  });

  it('URL-encodes path parameters and asks the node named in the UPID', async () => {
    const from = fake.requests.length;
    const upid = upidOf('pve2', 'qmstart', 4101);
    await client.taskStatus(upid);
    expect(fake.requests[from]!.path).toBe('/nodes/pve2/tasks/UPID%3Apve2%3A0003A1F2%3A01B2C3D4%3A6650F00D%3Aqmstart%3A4101%3Avle%40pve%21tasks%3A/status');
    expect(matchPveEndpoint('GET', fake.requests[from]!.path)?.pathParams).toEqual({ node: 'pve2', upid });
    const sent = fake.requests.length;
    await expect(client.taskStatus('not-a-upid')).rejects.toMatchObject({ name: 'PveError', kind: 'bad_request', permanent: true, responseCode: 'PVE_UPID' });
    await expect(client.waitForTask('UPID:pve1:bad')).rejects.toMatchObject({ kind: 'bad_request', permanent: true });
    expect(fake.requests.length).toBe(sent);
  });

  it('a parameter the schema rejects is rejected as the server would, as a permanent bad_request', async () => {
    const from = fake.requests.length;
    const error = await client.cloneVm('pve1', 9000, { newid: 42 }).catch((e: unknown) => e);
    expect(schemaErrors(from)[0]!.errors).toEqual({ newid: 'value must have a minimum value of 100' });
    expect(error).toBeInstanceOf(PveError);
    expect(error).toMatchObject({ status: 400, reason: 'Parameter verification failed.', message: 'Parameter verification failed. (newid: value must have a minimum value of 100)', errors: { newid: 'value must have a minimum value of 100' }, kind: 'bad_request', permanent: true, responseCode: 'PVE_400', method: 'POST', path: '/nodes/pve1/qemu/9000/clone' });
  });

  it('nextId on a taken ID is a transient vmid_taken', async () => {
    fake.state.override = (request, res) => (send(res, 400, 'Parameter verification failed.', { data: null, errors: { vmid: `VM ${request.query.vmid} already exists\n` }, message: 'Parameter verification failed.\n' }), true);
    await expect(client.nextId(4101)).rejects.toMatchObject({ kind: 'vmid_taken', transient: true, errors: { vmid: 'VM 4101 already exists' } });
  });
});

describe('PveClient errors', () => {
  it('classifies a 500 by its message, without trailing newline', async () => {
    fake.state.override = (_request, res) => (send(res, 500, 'VM is locked (clone)', { data: null, message: 'VM is locked (clone)\n' }), true);
    await expect(client.startVm('pve2', 4101)).rejects.toMatchObject({ name: 'PveError', status: 500, reason: 'VM is locked (clone)', message: 'VM is locked (clone)', kind: 'locked', transient: true, permanent: false, responseCode: 'PVE_500', method: 'POST', path: '/nodes/pve2/qemu/4101/status/start' });
  });

  it('595 from pveproxy is a transient node_unreachable', async () => {
    fake.state.override = (_request, res) => (send(res, 595, 'Connection refused', { data: null }), true);
    await expect(client.vmStatus('pve3', 4101)).rejects.toMatchObject({ status: 595, message: 'Connection refused', kind: 'node_unreachable', transient: true, responseCode: 'PVE_595' });
  });

  it('a wrong secret is a permanent auth error', async () => {
    const wrong = new PveClient({ baseUrl: fake.url, tokenId: TOKEN_ID, tokenSecret: 'not-the-secret' });
    await expect(wrong.version()).rejects.toMatchObject({ status: 401, message: 'Authentication failed!', kind: 'auth', permanent: true });
    wrong.close();
  });

  it('a slow answer is a transient timeout (ambiguous for writes), and is not retried', async () => {
    const from = fake.requests.length;
    fake.state.override = () => true; // never answers
    const slow = new PveClient({ baseUrl: fake.url, tokenId: TOKEN_ID, tokenSecret: SECRET, timeoutMs: 150 });
    await expect(slow.cloneVm('pve1', 9000, { newid: 4101 })).rejects.toMatchObject({ status: 0, kind: 'timeout', transient: true, responseCode: 'PVE_TIMEOUT' });
    expect(fake.requests.length - from).toBe(1);
    slow.close();
  });

  it('no server is a transient network error, and a POST is not retried', async () => {
    const gone = http.createServer();
    await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
    const { port } = gone.address() as AddressInfo;
    await new Promise<void>((resolve) => gone.close(() => resolve()));
    const down = new PveClient({ baseUrl: `http://127.0.0.1:${port}`, tokenId: TOKEN_ID, tokenSecret: SECRET });
    await expect(down.startVm('pve1', 4101)).rejects.toMatchObject({ status: 0, reason: 'ECONNREFUSED', kind: 'network', transient: true, responseCode: 'PVE_NETWORK' });
    down.close();
  });

  it('waitForTask over HTTP rejects with PveTaskFailed on an error exitstatus', async () => {
    const upid = await client.cloneVm('pve1', 666, { newid: 4101 });
    const error = await client.waitForTask(upid, { pollMs: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PveTaskFailed);
    expect(error).toMatchObject({ upid, kind: 'storage_lock', transient: true, responseCode: 'PVE_TASK' });
  });

  it('aborting waitForTask cancels the poll in flight with the signal reason', async () => {
    const upid = await client.cloneVm('pve1', 9000, { newid: 4101 });
    fake.state.override = () => true; // the poll hangs
    const controller = new AbortController();
    const waiting = client.waitForTask(upid, { signal: controller.signal, pollMs: 1 });
    setTimeout(() => controller.abort(new Error('job cancelled')), 50);
    await expect(waiting).rejects.toThrow('job cancelled');
  });

  it('never shows the token secret in errors or in the client', async () => {
    const errors: unknown[] = [];
    fake.state.override = (_request, res) => (send(res, 500, 'VM is locked (clone)', { data: null, message: 'VM is locked (clone)\n' }), true);
    errors.push(await client.cloneVm('pve1', 9000, { newid: 4101 }).catch((e: unknown) => e));
    fake.state.override = () => true;
    const slow = new PveClient({ baseUrl: fake.url, tokenId: TOKEN_ID, tokenSecret: SECRET, timeoutMs: 100 });
    errors.push(await slow.deleteVm('pve1', 4101).catch((e: unknown) => e));
    slow.close();
    fake.state.override = undefined;
    errors.push(await client.cloneVm('pve1', 9000, { newid: 1 }).catch((e: unknown) => e));
    errors.push(await client.waitForTask(await client.cloneVm('pve1', 666, { newid: 4101 }), { pollMs: 1 }).catch((e: unknown) => e));
    const down = new PveClient({ baseUrl: 'http://127.0.0.1:1', tokenId: TOKEN_ID, tokenSecret: SECRET });
    errors.push(await down.version().catch((e: unknown) => e));
    down.close();

    expect(errors.map((e) => (e as PveError).kind)).toEqual(['locked', 'timeout', 'bad_request', 'storage_lock', 'network']);
    for (const error of errors) {
      for (const shown of [String(error), (error as Error).message, (error as Error).stack, JSON.stringify(error), inspect(error, { depth: 10, showHidden: true })]) {
        expect(shown).not.toContain(SECRET);
      }
    }
    for (const shown of [String(client), JSON.stringify(client), inspect(client, { depth: 10, showHidden: true }), JSON.stringify({ ...client })]) {
      expect(shown).not.toContain(SECRET);
      expect(shown).toContain(TOKEN_ID);
    }
  });

  it('refuses a malformed token id without echoing the secret', () => {
    expect(() => new PveClient({ baseUrl: fake.url, tokenId: 'vle@pve', tokenSecret: SECRET })).toThrow(/USER@REALM!TOKENID/);
    expect(() => new PveClient({ baseUrl: fake.url, tokenId: `vle@pve!tasks=${SECRET}`, tokenSecret: SECRET })).toThrow(TypeError);
    expect(() => new PveClient({ baseUrl: fake.url, tokenId: `vle@pve!tasks=${SECRET}`, tokenSecret: SECRET })).not.toThrow(SECRET);
    expect(new PveClient({ baseUrl: fake.url, tokenId: 'jane.doe@example.org@ad!vle-tasks_1', tokenSecret: SECRET }).tokenId).toBe('jane.doe@example.org@ad!vle-tasks_1');
    expect(() => new PveClient({ baseUrl: fake.url, tokenId: TOKEN_ID, tokenSecret: '' })).toThrow(/tokenSecret/);
  });
});
