// Dead letters against a real JetStream: what is stored of a refused message (its secrets masked,
// the rest kept for the admin) and the stream's bound in bytes (the oldest go first).

import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology, type DeadLetterJson } from '@vle/contracts';
import { connectNats, deleteTopology, provisionTopology } from '@vle/event-store';
import { testNamespace } from '@vle/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishDeadLetter } from './dead-letter.js';

const BOUND = 64 * 1024;
let nc: NatsConnection;
let js: JetStreamClient;
let jsm: JetStreamManager;
let topology: Topology;

beforeAll(async () => {
  nc = await connectNats('nats://127.0.0.1:4222', 'dead-letter-int');
  js = jetstream(nc);
  jsm = await jetstreamManager(nc);
  topology = new Topology({ namespace: testNamespace('dlq'), deadLetterMaxBytes: BOUND });
  await provisionTopology(jsm, topology, []);
});

afterAll(async () => {
  if (jsm) await deleteTopology(jsm, topology);
  await nc?.close();
});

const source = 'commands';
const refused = (seq: number, data: string) => ({ source, deadLetterSubject: topology.deadLetterSubject(source), code: 'VALIDATION_FAILED', reason: 'params.to: is required', message: { subject: 'tasks.cmd.create', data: new TextEncoder().encode(data), seq } });

async function stored(seq: number): Promise<DeadLetterJson & { decoded: string }> {
  const found = await jsm.streams.getMessage(topology.deadLetterStream.name, { seq });
  const body = found!.json<DeadLetterJson>();
  return { ...body, decoded: Buffer.from(body.payload ?? '', 'base64').toString('utf8') };
}

describe('dead letters', () => {
  it('a refused command is stored with its secret-looking fields masked, the rest as it came', async () => {
    const command = { type: 'mail.send', createdBy: 'ada', params: { to: [], subject: 'Lab', password: 'c4n4ry-dl-1', smtp: { token: 'c4n4ry-dl-2', pin: 'c4n4ry-dl-3' }, link: 'https://x.example/join?key=c4n4ry-dl-4' } };
    await publishDeadLetter(js, refused(1, JSON.stringify(command)));
    await publishDeadLetter(js, refused(2, '{"type":"mail.send","params":{"password":"c4n4ry-dl-5", broken'));
    const [first, second] = [await stored(1), await stored(2)];
    expect(first.decoded + second.decoded).not.toContain('c4n4ry');
    expect(JSON.parse(first.decoded)).toEqual({ type: 'mail.send', createdBy: 'ada', params: { to: [], subject: 'Lab', password: '[REDACTED]', smtp: { token: '[REDACTED]', pin: '[REDACTED]' }, link: 'https://x.example/join?key=[REDACTED]' } });
    expect(second.decoded).toBe('{"type":"mail.send","params":{"password":"[REDACTED]", broken');
    expect(first).toMatchObject({ code: 'VALIDATION_FAILED', reason: 'params.to: is required', subject: 'tasks.cmd.create' });
  });

  it('a refused DAG keeps its steps\' keys (they name steps, not secrets), their params masked', async () => {
    const dag = { name: 'x', createdBy: 'ada', subtasks: [{ key: 'a', name: 'A', action: 'noop', queue: 'bench', dependsOn: ['b'], params: { key: 'c4n4ry-dl-6' } }, { key: 'b', name: 'B', action: 'noop', queue: 'bench', dependsOn: ['a'] }] };
    await publishDeadLetter(js, refused(3, JSON.stringify(dag)));
    const body = JSON.parse((await stored(3)).decoded);
    expect(body.subtasks.map((s: { key: string }) => s.key)).toEqual(['a', 'b']);
    expect(body.subtasks[0].params).toEqual({ key: '[REDACTED]' });
  });

  it('the stream is bounded in bytes: past the bound the oldest dead letters are discarded, the newest kept', async () => {
    const filler = 'x'.repeat(4 * 1024);
    for (let seq = 100; seq < 140; seq++) await publishDeadLetter(js, refused(seq, JSON.stringify({ type: 'vm.clone', note: filler, n: seq })));
    const info = await jsm.streams.info(topology.deadLetterStream.name);
    expect(info.config.max_bytes).toBe(BOUND);
    expect(info.state.bytes).toBeLessThanOrEqual(BOUND);
    expect(info.state.first_seq).toBeGreaterThan(1);
    expect(JSON.parse((await stored(info.state.last_seq)).decoded)).toMatchObject({ n: 139 });
  });
});
