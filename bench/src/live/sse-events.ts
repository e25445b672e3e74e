// The `event:` and `id:` of a text/event-stream, read from the raw bytes as they come. The bench holds
// hundreds of streams on a small machine, so it must not be the one that lags: data lines (a Task's
// JSON each), comments and `retry:` are skipped with a native newline search, never decoded or parsed;
// only the short id and event lines are read.

const NEWLINE = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const ID = Buffer.from('id:');
const EVENT = Buffer.from('event:');

/** An event (named by its `event:` line) with the `id:` given in its block, if any. */
export type OnSseEvent = (event: string, id: number | undefined) => void;

function startsWith(buf: Buffer, start: number, end: number, prefix: Buffer): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** Whether a line that starts with this byte can matter: only `id:` and `event:` lines do. */
const mayMatter = (first: number | undefined) => first === 0x69 /* i */ || first === 0x65; /* e */

export class SseEventReader {
  /** The start of a line that may matter, cut by the end of a chunk. */
  private carry: Buffer | undefined;
  /** Inside a line that does not matter (data, comment, retry), cut by the end of a chunk. */
  private skipping = false;
  private event: string | undefined;
  private id: number | undefined;

  constructor(private readonly onEvent: OnSseEvent) {}

  push(chunk: Buffer): void {
    let start = 0;
    if (this.skipping || this.carry) {
      const nl = chunk.indexOf(NEWLINE);
      if (nl < 0) {
        if (this.carry) this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      if (this.carry) {
        const line = Buffer.concat([this.carry, chunk.subarray(0, nl)]);
        this.carry = undefined;
        this.line(line, 0, line.length);
      }
      this.skipping = false;
      start = nl + 1;
    }
    while (start < chunk.length) {
      const nl = chunk.indexOf(NEWLINE, start);
      if (nl < 0) {
        if (mayMatter(chunk[start])) this.carry = Buffer.from(chunk.subarray(start));
        else this.skipping = true;
        return;
      }
      this.line(chunk, start, nl);
      start = nl + 1;
    }
  }

  private line(buf: Buffer, start: number, end: number): void {
    if (end > start && buf[end - 1] === CR) end--;
    if (end === start) {
      // A blank line ends the block; a block without `event:` (the `retry:` one, a comment) is no event.
      if (this.event !== undefined) this.onEvent(this.event, this.id);
      this.event = undefined;
      this.id = undefined;
      return;
    }
    if (startsWith(buf, start, end, ID)) this.id = digits(buf, valueStart(buf, start + ID.length, end), end);
    else if (startsWith(buf, start, end, EVENT)) this.event = buf.toString('latin1', valueStart(buf, start + EVENT.length, end), end);
  }
}

/** A field's value starts after the colon and one optional space. */
const valueStart = (buf: Buffer, at: number, end: number) => (at < end && buf[at] === SPACE ? at + 1 : at);

function digits(buf: Buffer, start: number, end: number): number | undefined {
  if (start === end) return undefined;
  let n = 0;
  for (let i = start; i < end; i++) {
    const d = buf[i]! - 0x30;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}
