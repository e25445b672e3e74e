import { describe, expect, it } from 'vitest';
import { MalformedCommit, type CommitSubscription, type EventLike, type StoredCommit, type SubscribeOptions } from '@vle/event-store';
import type { IncomingCommit } from './commit.js';
import { EventStoreFeed } from './commit-feed.js';

type Message = { seq: number; ok: boolean };

/**
 * Mimics the event store's subscription: a pump delivers messages in order, buffering commits and
 * reporting malformed messages to onMalformed (skipping them), like OrderedCommitSubscription.
 */
function fakeStore(messages: Message[], gapMs = 0) {
  return {
    async subscribe(fromSeq: number, options: SubscribeOptions = {}): Promise<CommitSubscription<EventLike>> {
      const buffer: StoredCommit<EventLike>[] = [];
      const readers: Array<() => void> = [];
      let stopped = false;
      const wake = () => readers.splice(0).forEach((r) => r());
      void (async () => {
        for (const m of messages.filter((m) => m.seq >= fromSeq)) {
          if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
          else await Promise.resolve();
          if (stopped) return;
          if (m.ok) {
            buffer.push({ seq: m.seq, subject: 'tasks.evt.x', time: '', events: [{ type: 'T', taskId: 'x' }] });
            wake();
          } else options.onMalformed?.(new MalformedCommit(m.seq, 'tasks.evt.x', 'not JSON'));
        }
      })();
      return {
        async nextBatch(max = 256) {
          while (buffer.length === 0) {
            if (stopped) return [];
            await new Promise<void>((r) => readers.push(r));
          }
          return buffer.splice(0, max);
        },
        async stop() {
          stopped = true;
          wake();
        },
        closed: Promise.resolve(undefined),
        async *[Symbol.asyncIterator]() {},
      };
    },
  };
}

async function take(feed: EventStoreFeed, count: number): Promise<IncomingCommit[]> {
  const stop = new AbortController();
  const out: IncomingCommit[] = [];
  for await (const commit of feed.commits(1, stop.signal)) {
    out.push(commit);
    if (out.length === count) stop.abort();
  }
  return out;
}

describe('EventStoreFeed', () => {
  const pattern = (n: number, bad: number[]) => Array.from({ length: n }, (_, i) => ({ seq: i + 1, ok: !bad.includes(i + 1) }));

  it.each([0, 2])('puts malformed messages back in stream order (pump gap %i ms)', async (gap) => {
    const messages = pattern(30, [1, 7, 8, 15, 30]);
    const feed = new EventStoreFeed(fakeStore(messages, gap), async () => 30);
    const out = await take(feed, 30);
    expect(out.map((c) => c.seq)).toEqual(messages.map((m) => m.seq));
    expect(out.filter((c) => c.malformed).map((c) => c.seq)).toEqual([1, 7, 8, 15, 30]);
  });

  it('ends when aborted while waiting', async () => {
    const feed = new EventStoreFeed(fakeStore(pattern(3, [])), async () => 3);
    const stop = new AbortController();
    const seen: number[] = [];
    setTimeout(() => stop.abort(), 50);
    for await (const commit of feed.commits(1, stop.signal)) seen.push(commit.seq);
    expect(seen).toEqual([1, 2, 3]);
  });
});
