import { describe, expect, it } from 'vitest';
import { serverSentEvents, SseParser, type SseItem } from './sse.js';

/** Every item of `text` fed in chunks of `size` characters. */
function parse(text: string, size = text.length, lastEventId = ''): SseItem[] {
  const parser = new SseParser(lastEventId);
  const items: SseItem[] = [];
  for (let i = 0; i < text.length; i += size) items.push(...parser.push(text.slice(i, i + size)));
  return items;
}

const events = (items: SseItem[]) => items.filter((i) => i.kind === 'event');

// What the projection writes (live-stream.controller.ts formatEvent): id, event, one data line.
const STREAM = 'retry: 3000\n\n: heartbeat\n\nid: 7\nevent: task\ndata: {"id":"t1","status":"running"}\n\nid: 8\nevent: ready\ndata: {"seq":8}\n\nevent: closed\ndata: {"reason":"the service stops"}\n\n';

describe('SseParser', () => {
  it("reads the projection's stream: retry, heartbeat comments, events with their ids", () => {
    expect(parse(STREAM)).toEqual([
      { kind: 'retry', ms: 3000 },
      { kind: 'comment', text: 'heartbeat' },
      { kind: 'event', event: 'task', data: '{"id":"t1","status":"running"}', lastEventId: '7' },
      { kind: 'event', event: 'ready', data: '{"seq":8}', lastEventId: '8' },
      // An event without an id keeps the last one: a reconnection resumes after 8.
      { kind: 'event', event: 'closed', data: '{"reason":"the service stops"}', lastEventId: '8' },
    ]);
  });

  it('gives the same items whatever the chunks, one character at a time included', () => {
    const whole = parse(STREAM);
    for (const size of [1, 2, 3, 5, 7, 13]) expect(parse(STREAM, size)).toEqual(whole);
  });

  it('ends lines with CRLF, LF or CR, a CRLF split between chunks counting once', () => {
    const crlf = STREAM.replaceAll('\n', '\r\n');
    const cr = STREAM.replaceAll('\n', '\r');
    expect(parse(crlf)).toEqual(parse(STREAM));
    expect(parse(cr)).toEqual(parse(STREAM));
    for (const size of [1, 2, 3, 4]) expect(parse(crlf, size)).toEqual(parse(STREAM));
    // "data: a\r" + "\ndata: b\r\n\r\n": the LF after the split CR does not end an empty line.
    expect(events(parse('data: a\r\ndata: b\r\n\r\n', 8))).toEqual([{ kind: 'event', event: 'message', data: 'a\nb', lastEventId: '' }]);
  });

  it('joins data lines, defaults the event to message, and takes a field without a colon as empty', () => {
    expect(events(parse('data: one\ndata:two\ndata\n\n'))).toEqual([{ kind: 'event', event: 'message', data: 'one\ntwo\n', lastEventId: '' }]);
    // Only one space after the colon is dropped.
    expect(events(parse('data:  two spaces\n\n'))).toEqual([{ kind: 'event', event: 'message', data: ' two spaces', lastEventId: '' }]);
  });

  it('dispatches nothing for a block without data, but keeps its id and resets its event type', () => {
    expect(parse('id: 5\nevent: task\n\ndata: x\n\n')).toEqual([{ kind: 'event', event: 'message', data: 'x', lastEventId: '5' }]);
  });

  it('ignores an id holding NUL, a retry that is not digits, and unknown fields', () => {
    expect(parse('id: 3\n\nid: 4\0\nretry: soon\nfoo: bar\ndata: x\n\n')).toEqual([{ kind: 'event', event: 'message', data: 'x', lastEventId: '3' }]);
  });

  it('drops a leading byte-order mark and starts from the given last event id', () => {
    expect(parse('\uFEFFdata: x\n\n', 100, '41')).toEqual([{ kind: 'event', event: 'message', data: 'x', lastEventId: '41' }]);
  });

  it('drops an event the stream ended in the middle of', () => {
    expect(events(parse('data: whole\n\ndata: half'))).toEqual([{ kind: 'event', event: 'message', data: 'whole', lastEventId: '' }]);
  });
});

describe('serverSentEvents', () => {
  it('decodes UTF-8 split inside a character and stops the body when the consumer does', async () => {
    const bytes = new TextEncoder().encode('id: 1\ndata: "Größe ✓"\n\nid: 2\ndata: second\n\n');
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        // One byte per chunk: every multi-byte character is split.
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
      },
      cancel() {
        cancelled = true;
      },
    });
    const seen: SseItem[] = [];
    for await (const item of serverSentEvents(body)) {
      seen.push(item);
      break;
    }
    expect(seen).toEqual([{ kind: 'event', event: 'message', data: '"Größe ✓"', lastEventId: '1' }]);
    expect(cancelled).toBe(true);
  });
});
