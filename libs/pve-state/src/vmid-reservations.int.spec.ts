// The VMID reservation store on the real NATS: one holder per VMID however many ask at once, an
// attempt of the same SubTask takes its VMID over, a release drops only what it read.

import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology } from '@vle/contracts';
import { connectNats } from '@vle/event-store';
import { testNamespace } from '@vle/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JetStreamVmidReservations, type VmidHolder } from './vmid-reservations.js';

let nc: NatsConnection;
let jsm: JetStreamManager;
const topology = new Topology({ namespace: testNamespace('vmid') });

beforeAll(async () => {
  nc = await connectNats(process.env.NATS_URL ?? 'nats://127.0.0.1:4222', 'vmid-reservations-int');
  jsm = await jetstreamManager(nc);
  await jsm.streams.add({ ...topology.vmidReservationStream });
});

afterAll(async () => {
  await jsm?.streams.delete(topology.vmidReservationStream.name).catch(() => undefined);
  await nc?.close();
});

const holder = (attempt = 1, subTaskId = randomUUID()): VmidHolder => ({ taskId: 'task-1', subTaskId, generation: 1, attempt });
const store = () => new JetStreamVmidReservations(jetstream(nc), topology);

describe('VMID reservations', () => {
  it('gives a VMID to exactly one of many SubTasks asking at once (separate clients, as replicas)', async () => {
    const askers = Array.from({ length: 8 }, () => holder());
    const claims = await Promise.all(askers.map((h) => store().claim(4300, h)));
    const winners = claims.filter((c) => c.kind === 'ours');
    expect(winners).toHaveLength(1);
    const owner = winners[0]!.reservation.subTaskId;
    expect(claims.every((c) => c.reservation.subTaskId === owner)).toBe(true);
    expect((await store().get(4300))?.subTaskId).toBe(owner);
  });

  it('lets a later attempt of the holder take its VMID over, keeping the UPID the earlier one recorded', async () => {
    const reservations = store();
    const first = holder(1);
    const { reservation } = await reservations.claim(4301, first);
    const withUpid = await reservations.recordUpid(reservation, 'UPID:pve1:0003A000:01B2C3D4:6650F00D:qmclone:9000:vle@pve!tasks:');
    const again = await reservations.claim(4301, { ...first, attempt: 2 });
    expect(again).toMatchObject({ kind: 'ours', reservation: { attempt: 2, upid: withUpid.upid } });
    expect(await reservations.claim(4301, holder(1))).toMatchObject({ kind: 'other', reservation: { subTaskId: first.subTaskId, attempt: 2 } });
  });

  it('releases only the record it read: a newer one stays', async () => {
    const reservations = store();
    const mine = holder(1);
    const { reservation: old } = await reservations.claim(4302, mine);
    const { reservation: newer } = await reservations.claim(4302, { ...mine, attempt: 2 });
    await reservations.release(old);
    expect((await reservations.get(4302))?.attempt).toBe(2);
    await reservations.release(newer);
    expect(await reservations.get(4302)).toBeUndefined();
    expect((await reservations.claim(4302, holder())).kind).toBe('ours');
  });

  it('refuses to record a UPID on a VMID another SubTask holds now', async () => {
    const reservations = store();
    const { reservation } = await reservations.claim(4303, holder());
    await reservations.release(reservation);
    await reservations.claim(4303, holder());
    await expect(reservations.recordUpid(reservation, 'UPID:pve1:0003A000:01B2C3D4:6650F00D:qmclone:9000:vle@pve!tasks:')).rejects.toThrow(`VMID 4303 is no longer reserved by SubTask ${reservation.subTaskId}`);
  });
});
