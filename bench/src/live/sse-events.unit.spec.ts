import { describe, expect, it } from 'vitest';
import { SseEventReader } from './sse-events.js';

// As the projection writes a stream (live-stream.controller.ts): retry first, then events and heartbeats.
const STREAM = [
  'retry: 3000\n\n',
  'id: 41\nevent: ready\ndata: {"seq":41}\n\n',
  `id: 57\nevent: task\ndata: {"id":"a","name":"live-1 \u00e9t\u00e9","subtasks":[${'{"status":"running"},'.repeat(40)}{}]}\n\n`,
  ': heartbeat\n\n',
  'id: 1234567890\nevent: leave\ndata: {"id":"b"}\n\n',
  'event: closed\ndata: {"reason":"the client reads too slowly"}\n\n',
].join('');

function read(chunks: readonly Buffer[]): Array<[string, number | undefined]> {
  const events: Array<[string, number | undefined]> = [];
  const reader = new SseEventReader((event, id) => events.push([event, id]));
  for (const chunk of chunks) reader.push(chunk);
  return events;
}

const EXPECTED = [
  ['ready', 41],
  ['task', 57],
  ['leave', 1234567890],
  ['closed', undefined],
];

describe('SseEventReader', () => {
  it('gives each event with its id, and nothing for the retry block and the heartbeat comment', () => {
    expect(read([Buffer.from(STREAM)])).toEqual(EXPECTED);
  });

  it('gives the same events wherever the chunks are cut, even one byte at a time', () => {
    const bytes = Buffer.from(STREAM);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const chunks = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(read(chunks), `chunks of ${size} bytes`).toEqual(EXPECTED);
    }
    for (let cut = 1; cut < bytes.length; cut++) expect(read([bytes.subarray(0, cut), bytes.subarray(cut)]), `cut at ${cut}`).toEqual(EXPECTED);
  });

  it('takes CRLF line ends and fields without the space after the colon', () => {
    expect(read([Buffer.from('id:7\r\nevent:task\r\ndata: {}\r\n\r\n')])).toEqual([['task', 7]]);
  });

  it('gives no id for a block whose id is not a number, and forgets the id after each block', () => {
    expect(read([Buffer.from('id: x1\nevent: task\n\nevent: task\n\n')])).toEqual([
      ['task', undefined],
      ['task', undefined],
    ]);
  });
});
