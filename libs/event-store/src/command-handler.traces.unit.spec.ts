import { captureSpans, type SpanCapture } from '@vle/testing';
import { contextOfCarrier, inSpan, startSpan } from '@vle/tracing';
import { trace } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CommandHandler } from './command-handler.js';
import { InMemoryEventStore } from './in-memory-event-store.js';
import { counterDecider, type CounterCommand, type CounterEvent, type CounterState } from './testing/counter.js';

const open = (taskId: string): CounterCommand => ({ type: 'Open', taskId });
const inc = (taskId: string, id: string): CounterCommand => ({ type: 'Increment', taskId, id });

let capture: SpanCapture;
beforeEach(() => {
  capture = captureSpans();
});
afterEach(async () => {
  await capture.stop();
});

const byName = (name: string) => capture.spans().filter((s) => s.name === name);

describe('CommandHandler traces', () => {
  it("appends in a span of the command's trace, stores its context with the commit, and tells onCommitted inside it", async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, counterDecider, { onCommitted: () => startSpan({ name: 'dispatch' }).end() });
    await inSpan({ name: 'command open', entry: true }, () => handler.handle(open('t1')));
    const [append] = byName(`append ${store.streamName}`);
    const [command] = byName('command open');
    expect(append).toMatchObject({ kind: 'producer', traceId: command!.traceId, parentSpanId: command!.spanId, attributes: { 'vle.task_id': 't1', 'vle.commit_seq': 1, 'vle.commit_commands': 'Open', 'vle.event_types': 'Opened' } });
    expect(byName('dispatch')[0]?.parentSpanId).toBe(append!.spanId);
    const [commit] = store.allCommits();
    expect(trace.getSpanContext(contextOfCarrier(commit!.trace))).toMatchObject({ traceId: append!.traceId, spanId: append!.spanId });
    expect(await handler.firstCommitTrace('t1')).toEqual(commit!.trace);
  });

  it("appends a group of commands in the first one's trace, linked to the others'", async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, counterDecider);
    await handler.handle(open('t1'));
    capture.reset();
    // Four jobs' results for one Task, each in its own trace, arrive together: one commit.
    await Promise.all(['a', 'b', 'c'].map((id) => inSpan({ name: `job ${id}`, root: true }, () => handler.handle(inc('t1', id)))));
    const appends = byName(`append ${store.streamName}`);
    expect(appends).toHaveLength(1);
    const jobs = ['a', 'b', 'c'].map((id) => byName(`job ${id}`)[0]!);
    expect(new Set(jobs.map((j) => j.traceId)).size).toBe(3);
    expect(appends[0]).toMatchObject({ traceId: jobs[0]!.traceId, parentSpanId: jobs[0]!.spanId, attributes: { 'vle.commit_commands': 'Increment,Increment,Increment' } });
    expect(appends[0]!.links).toEqual(jobs.slice(1).map((j) => ({ traceId: j.traceId, spanId: j.spanId, attributes: { 'vle.command': 'Increment' } })));
  });

  it('marks an append refused for a wrong expected sequence, and appends again in the same trace', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const a = new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, counterDecider);
    const b = new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, counterDecider);
    await a.handle(open('t1'));
    await b.handle(inc('t1', 'from-b'));
    capture.reset();
    await inSpan({ name: 'command', entry: true }, () => a.handle(inc('t1', 'from-a')));
    const appends = byName(`append ${store.streamName}`);
    expect(appends.map((s) => s.status)).toEqual([{ code: 'error', message: 'WRONG_EXPECTED_SEQUENCE' }, { code: 'unset' }]);
    expect(new Set(appends.map((s) => s.parentSpanId))).toEqual(new Set([byName('command')[0]!.spanId]));
  });

  it('makes no append span for a command that changes nothing', async () => {
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, counterDecider);
    await handler.handle(open('t1'));
    capture.reset();
    await handler.handle(open('t1'));
    expect(byName(`append ${store.streamName}`)).toEqual([]);
  });

  it('has no first-commit trace for a Task appended without a span, or without commits', async () => {
    await capture.stop();
    const store = new InMemoryEventStore<CounterEvent>();
    const handler = new CommandHandler<CounterCommand, CounterEvent, CounterState>(store, counterDecider);
    await handler.handle(open('untraced'));
    expect(await handler.firstCommitTrace('untraced')).toBeUndefined();
    expect(await handler.firstCommitTrace('absent')).toBeUndefined();
    capture = captureSpans();
  });
});
