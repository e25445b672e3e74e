// The Proxmox inventory end to end on a booted projection service (in process), the real NATS and
// PostgreSQL: a snapshot published as the vm-action-worker publishes it is applied in one transaction
// and served by the query API; newer snapshots replace it, older and repeated ones change nothing,
// bad ones are dead-lettered without blocking the next, and a rebuild of the read model keeps it.

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContractError, Topology, type DeadLetterJson, type PveInventorySnapshotInput } from '@vle/contracts';
import { connectNats, deleteTopology } from '@vle/event-store';
import { publishPveInventory } from '@vle/pve-state';
import type { RunningService } from '@vle/service-kit';
import { bearer, createTestDatabase, freePort, testNamespace, testToken, waitFor, type TestDatabase } from '@vle/testing';
import { bootstrap } from '../index.js';
import { createJetStreamFeed } from '../projector/commit-feed.js';
import { TASKS_PROJECTION } from '../projector/projection-name.js';
import { rebuildReadModel } from '../rebuild/rebuild-read-model.js';
import { recordingLogger } from '../testing/test-log.js';
import { InventoryReader } from './inventory.reader.js';

const admin = testToken();

let database: TestDatabase;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;
let service: RunningService;

const TASK_ID = '0190a7e2-0000-7000-8000-0000000000aa';
const GiB = 1024 ** 3;

function snapshotAt(minute: number, guests: PveInventorySnapshotInput['guests']): PveInventorySnapshotInput {
  return {
    syncedAt: `2026-11-22T10:${String(minute).padStart(2, '0')}:00.000Z`,
    taskId: TASK_ID,
    subTaskId: `sync-${minute}`,
    nodes: [
      { node: 'pve2', status: 'online', cpu: 0.5, maxCpu: 16, mem: 8 * GiB, maxMem: 64 * GiB, disk: 10 * GiB, maxDisk: 100 * GiB, uptime: 7200, pveVersion: 'pve-manager/9.1.3' },
      { node: 'pve1', status: 'online', cpu: 0.125, maxCpu: 32, mem: 16 * GiB, maxMem: '274877906944', disk: 20 * GiB, maxDisk: 200 * GiB, uptime: 3600, pveVersion: 'pve-manager/9.1.3' },
    ],
    guests,
  };
}

const TEMPLATE = { vmid: 100, name: 'debian-13-tpl', node: 'pve1', status: 'stopped', template: true, maxCpu: 2, maxMem: 2 * GiB };
const LAB_1 = { vmid: 101, name: 'lab-1', node: 'pve1', status: 'running', pool: 'event-42', maxCpu: 2, maxMem: 4 * GiB, uptime: 600 };
const LAB_2 = { vmid: 102, name: 'lab-2', node: 'pve2', status: 'running', pool: 'event-42', lock: 'backup', maxCpu: 4, maxMem: 8 * GiB, uptime: 300 };
const SPARE = { vmid: 103, name: 'spare', node: 'pve2', status: 'stopped', maxCpu: 1, maxMem: GiB };

async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${service.url}${path}`, { headers: bearer(await admin) });
  return { status: response.status, body: await response.json() };
}

async function lastSeq(): Promise<number> {
  return (await jsm.streams.info(topology.pveInventoryStream.name)).state.last_seq;
}

/** Waits until the reader has settled (applied, ignored or dead-lettered) every stored snapshot. */
async function settled(): Promise<number> {
  const last = await lastSeq();
  await waitFor(async () => (await jsm.consumers.info(topology.pveInventoryStream.name, topology.pveInventoryConsumer.durable_name!)).ack_floor.stream_seq >= last, {
    description: `the inventory reader to settle seq ${last}`,
  });
  return last;
}

async function publish(snapshot: PveInventorySnapshotInput): Promise<number> {
  await publishPveInventory(js, topology, snapshot);
  return settled();
}

/** Stores bytes on the inventory subject without the publisher's checks and dedup id. */
async function publishRaw(data: string): Promise<number> {
  const ack = await js.publish(topology.pveInventorySubject, data);
  await settled();
  return ack.seq;
}

async function rows() {
  const source = service.app.get(DataSource);
  return {
    nodes: await source.query(`SELECT * FROM pve_nodes ORDER BY node`),
    guests: await source.query(`SELECT * FROM pve_guests ORDER BY vmid`),
    sync: await source.query(`SELECT id, synced_at, stream_seq, task_id, sub_task_id, nodes, guests, applied_at FROM pve_inventory_syncs`),
  };
}

async function deadLetter(): Promise<DeadLetterJson> {
  const message = await jsm.streams.getMessage(topology.deadLetterStream.name, { last_by_subj: topology.deadLetterSubject('inventory.pve') });
  return message!.json<DeadLetterJson>();
}

const vmids = (body: { vms: Array<{ vmid: number }> }) => body.vms.map((vm) => vm.vmid);

beforeAll(async () => {
  database = await createTestDatabase('vle_projection_inventory');
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'test-projection-inventory');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = new Topology({ namespace: testNamespace('projinv') });
  service = await bootstrap({
    env: { DATABASE_URL: database.url, NATS_NAMESPACE: topology.namespace, HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'error' },
  });
});

afterAll(async () => {
  await service?.close();
  if (jsm) await deleteTopology(jsm, topology).catch(() => undefined);
  await nc?.close();
  await database?.drop();
});

describe('Proxmox inventory', () => {
  it('answers an empty inventory before the first sync', async () => {
    expect(await get('/api/v1/proxmox/nodes')).toEqual({ status: 200, body: { syncedAt: null, taskId: null, nodes: [] } });
    expect(await get('/api/v1/proxmox/vms')).toEqual({ status: 200, body: { syncedAt: null, vms: [] } });
  });

  it('applies a published snapshot and serves its nodes and VMs', async () => {
    const seq = await publish(snapshotAt(1, [SPARE, LAB_2, TEMPLATE, LAB_1]));
    const nodes = await get('/api/v1/proxmox/nodes');
    expect(nodes).toEqual({
      status: 200,
      body: {
        syncedAt: '2026-11-22T10:01:00.000Z',
        taskId: TASK_ID,
        nodes: [
          { node: 'pve1', status: 'online', cpu: 0.125, maxCpu: 32, mem: 16 * GiB, maxMem: 256 * GiB, disk: 20 * GiB, maxDisk: 200 * GiB, uptime: 3600, pveVersion: 'pve-manager/9.1.3' },
          { node: 'pve2', status: 'online', cpu: 0.5, maxCpu: 16, mem: 8 * GiB, maxMem: 64 * GiB, disk: 10 * GiB, maxDisk: 100 * GiB, uptime: 7200, pveVersion: 'pve-manager/9.1.3' },
        ],
      },
    });
    const vms = await get('/api/v1/proxmox/vms');
    expect(vms.status).toBe(200);
    expect(vms.body.syncedAt).toBe('2026-11-22T10:01:00.000Z');
    expect(vms.body.vms).toEqual([
      { vmid: 100, name: 'debian-13-tpl', node: 'pve1', status: 'stopped', template: true, lock: null, pool: null, maxCpu: 2, maxMem: 2 * GiB, uptime: 0 },
      { vmid: 101, name: 'lab-1', node: 'pve1', status: 'running', template: false, lock: null, pool: 'event-42', maxCpu: 2, maxMem: 4 * GiB, uptime: 600 },
      { vmid: 102, name: 'lab-2', node: 'pve2', status: 'running', template: false, lock: 'backup', pool: 'event-42', maxCpu: 4, maxMem: 8 * GiB, uptime: 300 },
      { vmid: 103, name: 'spare', node: 'pve2', status: 'stopped', template: false, lock: null, pool: null, maxCpu: 1, maxMem: GiB, uptime: 0 },
    ]);
    expect((await rows()).sync).toEqual([
      { id: 1, synced_at: new Date('2026-11-22T10:01:00Z'), stream_seq: String(seq), task_id: TASK_ID, sub_task_id: 'sync-1', nodes: 2, guests: 4, applied_at: expect.any(Date) },
    ]);
  });

  it.each([
    ['node=pve2', [102, 103]],
    ['template=true', [100]],
    ['template=false', [101, 102, 103]],
    ['status=running', [101, 102]],
    ['pool=event-42', [101, 102]],
    ['node=pve1&status=running', [101]],
    ['node=pve3', []],
  ])('filters VMs by %s', async (query, expected) => {
    const { status, body } = await get(`/api/v1/proxmox/vms?${query}`);
    expect(status).toBe(200);
    expect(vmids(body)).toEqual(expected);
  });

  it('serves one VM, 404 for one not in the inventory', async () => {
    expect(await get('/api/v1/proxmox/vms/102')).toMatchObject({ status: 200, body: { vmid: 102, node: 'pve2', lock: 'backup' } });
    expect(await get('/api/v1/proxmox/vms/999')).toEqual({ status: 404, body: { code: 'VM_NOT_FOUND', message: expect.stringContaining('999') } });
  });

  it.each([
    ['/api/v1/proxmox/vms?template=yes', 'template'],
    ['/api/v1/proxmox/vms?status=Running!', 'status'],
    ['/api/v1/proxmox/vms?node=', 'node'],
    ['/api/v1/proxmox/vms?node=a&node=b', 'node'],
    ['/api/v1/proxmox/vms?type=qemu', 'type'],
    ['/api/v1/proxmox/vms/abc', 'vmid'],
    ['/api/v1/proxmox/vms/0', 'vmid'],
  ])('answers 400 naming the field for %s', async (path, field) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining(field), violations: [{ field, message: expect.any(String) }] });
  });

  it('replaces the inventory with a newer snapshot: a vanished VM is gone, a changed one updated', async () => {
    const seq = await publish(snapshotAt(2, [TEMPLATE, { ...LAB_1, status: 'stopped', uptime: 0 }, LAB_2]));
    expect(vmids((await get('/api/v1/proxmox/vms')).body)).toEqual([100, 101, 102]);
    expect((await get('/api/v1/proxmox/vms/103')).status).toBe(404);
    expect((await get('/api/v1/proxmox/vms/101')).body).toMatchObject({ status: 'stopped', uptime: 0 });
    expect((await get('/api/v1/proxmox/nodes')).body.syncedAt).toBe('2026-11-22T10:02:00.000Z');
    expect((await rows()).sync[0]).toMatchObject({ stream_seq: String(seq), sub_task_id: 'sync-2', guests: 3 });
  });

  it('ignores an older snapshot delivered after a newer one', async () => {
    const before = await rows();
    const seq = await publish(snapshotAt(0, [TEMPLATE, LAB_1, LAB_2, SPARE, { vmid: 104, node: 'pve1', status: 'running' }]));
    expect(seq).toBeGreaterThan(Number(before.sync[0].stream_seq));
    expect(await rows()).toEqual(before);
    expect((await get('/api/v1/proxmox/nodes')).body.syncedAt).toBe('2026-11-22T10:02:00.000Z');
  });

  it('changes nothing when the same snapshot is delivered twice (redelivery, or stored again)', async () => {
    const before = await rows();
    const applied = Number(before.sync[0].stream_seq);
    const reader = service.app.get(InventoryReader);
    const stored = await jsm.streams.getMessage(topology.pveInventoryStream.name, { seq: applied });
    // The very message again, as a redelivery after a lost ack hands it over.
    expect(await reader.handle({ subject: stored!.subject, data: stored!.data, seq: applied })).toEqual({ kind: 'ack' });
    // The same body stored again (published outside the dedup window).
    await publishRaw(new TextDecoder().decode(stored!.data));
    // And the publisher's own repeat within the window is not even stored.
    const last = await lastSeq();
    await publishPveInventory(js, topology, snapshotAt(2, [TEMPLATE, { ...LAB_1, status: 'stopped', uptime: 0 }, LAB_2]));
    expect(await lastSeq()).toBe(last);
    expect(await rows()).toEqual(before);
  });

  it('dead-letters a malformed or unstorable snapshot, terms it, and applies the next good one', async () => {
    const reader = service.app.get(InventoryReader);
    const deadBefore = reader.stats().deadLettered;

    const notJson = await publishRaw('{"syncedAt": ');
    expect(await deadLetter()).toMatchObject({ source: 'inventory.pve', code: 'MALFORMED_JSON', streamSequence: String(notJson), payload: Buffer.from('{"syncedAt": ').toString('base64') });

    const twice = await publishRaw(JSON.stringify(snapshotAt(3, [LAB_1, { ...LAB_2, vmid: 101 }])));
    expect(await deadLetter()).toMatchObject({ code: 'VALIDATION_FAILED', reason: expect.stringContaining('guests[1].vmid'), streamSequence: String(twice) });

    // PostgreSQL refuses a NUL in text: the contract refuses it first, naming the field (issue 8).
    const nul = await publishRaw(JSON.stringify(snapshotAt(3, [{ ...LAB_1, name: 'nul\u0000name' }])));
    expect(await deadLetter()).toMatchObject({ code: 'VALIDATION_FAILED', reason: expect.stringContaining('guests[0].name: must not contain NUL'), streamSequence: String(nul) });

    expect(reader.stats().deadLettered - deadBefore).toBe(3);
    expect(vmids((await get('/api/v1/proxmox/vms')).body)).toEqual([100, 101, 102]);

    await publish(snapshotAt(4, [LAB_2, SPARE]));
    expect(vmids((await get('/api/v1/proxmox/vms')).body)).toEqual([102, 103]);
    expect((await get('/api/v1/proxmox/nodes')).body.syncedAt).toBe('2026-11-22T10:04:00.000Z');
  });

  it('refuses to publish a snapshot the projection would refuse', async () => {
    const last = await lastSeq();
    const bad = { ...snapshotAt(5, [LAB_1]), syncedAt: 'now' };
    await expect(publishPveInventory(js, topology, bad)).rejects.toBeInstanceOf(ContractError);
    await expect(publishPveInventory(js, topology, bad)).rejects.toMatchObject({ code: 'VALIDATION_FAILED', violations: [{ field: 'syncedAt' }] });
    expect(await lastSeq()).toBe(last);
  });

  it('keeps the inventory through a rebuild of the read model, and the reader carries on', async () => {
    const before = await rows();
    const feed = await createJetStreamFeed(nc, topology);
    const result = await rebuildReadModel({ databaseUrl: database.url, schema: 'projection', projection: TASKS_PROJECTION, feed, taskIdOf: (s) => topology.taskIdOf(s), logger: recordingLogger(), idleMs: 200 });
    expect(result.schema).toBe('projection');
    expect(await rows()).toEqual(before);
    await publish(snapshotAt(6, [TEMPLATE]));
    expect(vmids((await get('/api/v1/proxmox/vms')).body)).toEqual([100]);
  });
});
