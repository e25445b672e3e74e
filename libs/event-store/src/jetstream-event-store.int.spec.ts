import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import { Headers, Topology } from '@vle/contracts';
import { captureSpans } from '@vle/testing';
import { inSpan } from '@vle/tracing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { MalformedCommit } from './errors.js';
import { JetStreamEventStore } from './jetstream-event-store.js';
import { provisionedNamespace, type TestNats } from './testing/nats.js';

interface TestEvent {
  readonly type: string;
  readonly taskId: string;
  readonly n: number;
}

const ev = (taskId: string, n: number, type = 'Counted'): TestEvent => ({ type, taskId, n });
let ids = 0;
const newTaskId = () => `task-${Date.now().toString(36)}-${++ids}`;

describe('JetStreamEventStore', () => {
  let nats: TestNats;
  let js: JetStreamClient;
  let store: JetStreamEventStore<TestEvent>;

  beforeAll(async () => {
    nats = await provisionedNamespace('es');
    js = jetstream(nats.nc);
    store = await JetStreamEventStore.connect<TestEvent>(nats.nc, nats.topology);
  });

  afterAll(async () => {
    await nats?.cleanup();
  });

  /** Ephemeral consumers left on the event stream (durable ones excluded). */
  async function ephemeralConsumers(): Promise<string[]> {
    const names: string[] = [];
    for await (const ci of nats.jsm.consumers.list(nats.topology.eventStream.name)) {
      if (!ci.config.durable_name) names.push(ci.name);
    }
    return names;
  }

  it('appends commits and loads them back in order, one message per commit', async () => {
    const taskId = newTaskId();
    const first = await store.append(taskId, [ev(taskId, 1, 'Opened'), ev(taskId, 2)], 0);
    const second = await store.append(taskId, [ev(taskId, 3)], first.seq);
    const loaded = await store.load(taskId);
    expect(loaded.lastSeq).toBe(second.seq);
    expect(loaded.commits.map((c) => [c.seq, c.subject, c.events.map((e) => e.n)])).toEqual([
      [first.seq, nats.topology.eventSubject(taskId), [1, 2]],
      [second.seq, nats.topology.eventSubject(taskId), [3]],
    ]);
    expect(new Date(loaded.commits[0]!.time).getTime()).toBeGreaterThan(Date.now() - 60_000);
    const raw = await nats.jsm.streams.getMessage(nats.topology.eventStream.name, { seq: first.seq });
    expect(raw?.header.get(Headers.eventType)).toBe('Opened,Counted');
    expect(raw?.json()).toEqual({ events: [ev(taskId, 1, 'Opened'), ev(taskId, 2)] });
    expect(await store.lastSequence(taskId)).toBe(second.seq);
  });

  it('loads a task whose only commit opens its stream with one request', async () => {
    const opening = await JetStreamEventStore.connect<TestEvent>(nats.nc, nats.topology, { firstEventType: 'Opened' });
    const single = newTaskId();
    const { seq } = await opening.append(single, [ev(single, 1, 'Opened')], 0);
    const requests: string[] = [];
    const request = nats.nc.request.bind(nats.nc);
    const spy = vi.spyOn(nats.nc, 'request').mockImplementation((subject, ...rest) => {
      requests.push(subject);
      return request(subject, ...rest);
    });
    try {
      expect(await opening.load(single)).toMatchObject({ lastSeq: seq, commits: [{ seq, events: [ev(single, 1, 'Opened')] }] });
      expect(requests).toHaveLength(1);
      // A longer history is still read whole.
      const longer = newTaskId();
      const first = await opening.append(longer, [ev(longer, 1, 'Opened')], 0);
      await opening.append(longer, [ev(longer, 2)], first.seq);
      requests.length = 0;
      expect((await opening.load(longer)).commits.map((c) => c.events[0]!.n)).toEqual([1, 2]);
      expect(requests).toHaveLength(2);
    } finally {
      spy.mockRestore();
    }
  });

  it('loads a task that has no commit as empty, with last sequence 0', async () => {
    expect(await store.load(newTaskId())).toEqual({ commits: [], lastSeq: 0 });
    expect(await store.lastSequence(newTaskId())).toBe(0);
  });

  it('loads only its own task among interleaved tasks, and a long stream quickly', async () => {
    const [a, b] = [newTaskId(), newTaskId()];
    let seqA = 0;
    let seqB = 0;
    for (let i = 0; i < 500; i++) {
      seqA = (await store.append(a, [ev(a, i)], seqA)).seq;
      if (i % 5 === 0) seqB = (await store.append(b, [ev(b, i)], seqB)).seq;
    }
    const started = performance.now();
    const loaded = await store.load(a);
    const elapsed = performance.now() - started;
    expect(loaded.commits.map((c) => c.events[0]!.n)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(loaded.lastSeq).toBe(seqA);
    expect((await store.load(b)).commits).toHaveLength(100);
    console.info(`load of 500 commits: ${elapsed.toFixed(1)} ms`);
    expect(elapsed).toBeLessThan(500);
  });

  it('loads only the commits after a sequence, by direct gets and through a consumer for longer tails', async () => {
    const taskId = newTaskId();
    const seqs: number[] = [];
    for (let n = 0; n < 20; n++) seqs.push((await store.append(taskId, [ev(taskId, n)], seqs.at(-1) ?? 0)).seq);
    const short = await store.load(taskId, { afterSeq: seqs[16] });
    expect(short.commits.map((c) => c.seq)).toEqual(seqs.slice(17));
    expect(short.lastSeq).toBe(seqs[19]);
    const long = await store.load(taskId, { afterSeq: seqs[2] });
    expect(long.commits.map((c) => c.seq)).toEqual(seqs.slice(3));
    const none = await store.load(taskId, { afterSeq: seqs[19] });
    expect(none).toEqual({ commits: [], lastSeq: seqs[19] });
  });

  it('refuses a stale expected sequence with WrongExpectedSequence and stores nothing', async () => {
    const taskId = newTaskId();
    const { seq } = await store.append(taskId, [ev(taskId, 1)], 0);
    await expect(store.append(taskId, [ev(taskId, 2)], 0)).rejects.toMatchObject({
      code: 'WRONG_EXPECTED_SEQUENCE',
      taskId,
      expectedSeq: 0,
      actualSeq: seq,
    });
    await store.append(taskId, [ev(taskId, 2)], seq);
    await expect(store.append(taskId, [ev(taskId, 3)], seq)).rejects.toMatchObject({ code: 'WRONG_EXPECTED_SEQUENCE' });
    expect((await store.load(taskId)).commits.flatMap((c) => c.events.map((e) => e.n))).toEqual([1, 2]);
  });

  it('refuses an empty commit and an event of another task', async () => {
    const taskId = newTaskId();
    await expect(store.append(taskId, [], 0)).rejects.toMatchObject({ code: 'INVALID_COMMIT' });
    await expect(store.append(taskId, [ev('other', 1)], 0)).rejects.toMatchObject({ code: 'INVALID_COMMIT' });
    expect(await store.lastSequence(taskId)).toBe(0);
  });

  it('names the missing stream when no stream stores the subject of an append', async () => {
    const elsewhere = new Topology({ namespace: `${nats.topology.namespace}missing` });
    const orphan = await JetStreamEventStore.connect<TestEvent>(nats.nc, elsewhere);
    const taskId = newTaskId();
    const error = await orphan.append(taskId, [ev(taskId, 1)], 0).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'STREAM_UNAVAILABLE', message: expect.stringContaining(`stream ${elsewhere.eventStream.name} not found`) });
  });

  it('refuses a commit larger than the stream allows, naming its size', async () => {
    const taskId = newTaskId();
    const limit = nats.topology.eventStream.max_msg_size!;
    const big = Array.from({ length: Math.ceil(limit / 300) }, (_, n) => ({ ...ev(taskId, n), pad: 'x'.repeat(300) }));
    const error = await store.append(taskId, big, 0).catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'COMMIT_TOO_LARGE', taskId, limit });
    expect((error as Error).message).toMatch(new RegExp(`commit of \\d+ bytes for task ${taskId} exceeds the limit of ${limit} bytes`));
    expect(await store.lastSequence(taskId)).toBe(0);
  });

  it('fails a load on a malformed message with its sequence, and leaves no consumer behind', async () => {
    const taskId = newTaskId();
    const { seq } = await store.append(taskId, [ev(taskId, 1)], 0);
    const bad = await js.publish(nats.topology.eventSubject(taskId), 'not json', { expect: { lastSubjectSequence: seq } });
    await expect(store.load(taskId)).rejects.toMatchObject({ code: 'MALFORMED_COMMIT', seq: bad.seq, subject: nats.topology.eventSubject(taskId) });
    expect(await ephemeralConsumers()).toEqual([]);
  });

  it('leaves no consumer behind after many loads', async () => {
    const taskId = newTaskId();
    await store.append(taskId, [ev(taskId, 1)], 0);
    await Promise.all(Array.from({ length: 20 }, () => store.load(taskId)));
    expect(await ephemeralConsumers()).toEqual([]);
  });

  it("stores the appending span's trace context in the commit's headers: read by subscriptions and as the Task's first-commit trace", async () => {
    const capture = captureSpans();
    try {
      const taskId = newTaskId();
      const first = await inSpan({ name: 'append one', entry: true }, () => store.append(taskId, [ev(taskId, 1, 'Opened')], 0));
      await inSpan({ name: 'append two', entry: true }, () => store.append(taskId, [ev(taskId, 2)], first.seq));
      const [one, two] = capture.spans();
      const raw = await nats.jsm.streams.getMessage(nats.topology.eventStream.name, { seq: first.seq });
      expect(raw?.header.get(Headers.traceparent)).toBe(`00-${one!.traceId}-${one!.spanId}-01`);
      // The Task's first commit, however many follow: what a later command links to.
      expect(await store.firstCommitTrace(taskId)).toEqual({ traceparent: `00-${one!.traceId}-${one!.spanId}-01` });
      const sub = await store.subscribe(first.seq);
      try {
        const commits = await sub.nextBatch(10);
        if (commits.length < 2) commits.push(...(await sub.nextBatch(10)));
        expect(commits.map((c) => c.trace?.traceparent)).toEqual([`00-${one!.traceId}-${one!.spanId}-01`, `00-${two!.traceId}-${two!.spanId}-01`]);
      } finally {
        await sub.stop();
      }
    } finally {
      await capture.stop();
    }
    // Appended without an SDK: no trace context, and none read.
    const untraced = newTaskId();
    await store.append(untraced, [ev(untraced, 1, 'Opened')], 0);
    expect(await store.firstCommitTrace(untraced)).toBeUndefined();
    expect(await store.firstCommitTrace(newTaskId())).toBeUndefined();
  });

  describe('subscribe', () => {
    it('delivers every commit of every task from a stream sequence, in order, and keeps following', async () => {
      const [a, b] = [newTaskId(), newTaskId()];
      const first = await store.append(a, [ev(a, 1)], 0);
      const second = await store.append(b, [ev(b, 2), ev(b, 3)], 0);
      const sub = await store.subscribe(second.seq);
      try {
        const [commit] = await sub.nextBatch(10);
        expect(commit).toMatchObject({ seq: second.seq, subject: nats.topology.eventSubject(b), events: [ev(b, 2), ev(b, 3)] });
        const third = await store.append(a, [ev(a, 4)], first.seq);
        expect((await sub.nextBatch(10)).map((c) => c.seq)).toEqual([third.seq]);
      } finally {
        await sub.stop();
      }
      expect(await ephemeralConsumers()).toEqual([]);
    });

    it('hands out what has arrived in batches of at most N, and iterates', async () => {
      const taskId = newTaskId();
      let seq = 0;
      const seqs: number[] = [];
      for (let i = 0; i < 30; i++) seqs.push((seq = (await store.append(taskId, [ev(taskId, i)], seq)).seq));
      const sub = await store.subscribe(seqs[0]!, { maxBuffered: 8 });
      const batches: number[][] = [];
      try {
        while (batches.flat().length < 25) batches.push((await sub.nextBatch(5)).map((c) => c.seq));
        expect(batches.every((batch) => batch.length >= 1 && batch.length <= 5)).toBe(true);
        const rest: number[] = [];
        for await (const commit of sub) {
          rest.push(commit.seq);
          if (commit.seq === seqs.at(-1)) break;
        }
        expect([...batches.flat(), ...rest]).toEqual(seqs);
      } finally {
        await sub.stop();
      }
    });

    it('skips a malformed message and reports it with its sequence', async () => {
      const taskId = newTaskId();
      const before = await store.append(taskId, [ev(taskId, 1)], 0);
      const bad = await js.publish(nats.topology.eventSubject(taskId), '{"events":"nope"}');
      const after = await store.append(taskId, [ev(taskId, 2)], bad.seq);
      const reported: MalformedCommit[] = [];
      const sub = await store.subscribe(before.seq, { onMalformed: (err) => reported.push(err) });
      const seen: number[] = [];
      try {
        for await (const commit of sub) {
          seen.push(commit.seq);
          if (commit.seq === after.seq) break;
        }
      } finally {
        await sub.stop();
      }
      expect(seen).toEqual([before.seq, after.seq]);
      expect(reported).toHaveLength(1);
      expect(reported[0]).toMatchObject({ code: 'MALFORMED_COMMIT', seq: bad.seq });
    });

    it('returns [] to a waiting reader once stopped', async () => {
      const sub = await store.subscribe(1_000_000_000);
      const waiting = sub.nextBatch();
      await sub.stop();
      expect(await waiting).toEqual([]);
      expect(await sub.closed).toBeUndefined();
    });
  });
});
