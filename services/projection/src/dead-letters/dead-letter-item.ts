// What an admin reads of one dead letter (README, "Dead letters"): its reason and the message it
// stands for, masked again on the way out. The writer masked it once (libs/messaging dead-letter.ts);
// a dead letter written by an older release, by hand or by a bug may not be, and the scrubber may have
// learned words since (DESIGN §7). Only the code header is read: no other header of a stored dead
// letter ever leaves, so no credential a header might carry can.

import { Headers, scrubText, type DeadLetterJson } from '@vle/contracts';
import { scrubbedPayload } from '@vle/messaging';

/** A message of DEAD_LETTERS, as a direct get or a consumer returns it. */
export interface StoredDeadLetter {
  readonly seq: number;
  readonly time: Date;
  readonly subject: string;
  readonly data: Uint8Array;
  readonly header: (name: string) => string | undefined;
}

export type DeadLetterPayload =
  | { readonly format: 'json'; readonly value: unknown; readonly size: number }
  | { readonly format: 'text'; readonly preview: string; readonly size: number; readonly truncated: boolean };

export interface DeadLetterItem {
  readonly seq: number;
  readonly at: string;
  readonly source: string;
  readonly subject: string;
  readonly code: string;
  readonly reason: string;
  readonly deliveries?: number;
  readonly taskId?: string;
  readonly subTaskId?: string;
  readonly queue?: string;
  readonly action?: string;
  readonly payload: DeadLetterPayload;
}

export interface ItemOptions {
  /** `<prefix>dlq.`: what the subject of a dead letter starts with. */
  readonly subjectPrefix: string;
  /** A JSON payload larger than this is shown as a text preview (the list: 16 KiB; one item: all of it). */
  readonly maxJsonBytes: number;
}

/** Characters of a text preview (a payload that is not JSON, or too large for a list). */
export const PREVIEW_CHARS = 2048;
const FIELD_CHARS = 200;

export function deadLetterItem(stored: StoredDeadLetter, options: ItemOptions): DeadLetterItem {
  const body = bodyOf(stored.data);
  const source = stored.subject.startsWith(options.subjectPrefix) ? stored.subject.slice(options.subjectPrefix.length) : stored.subject;
  const code = field(stored.header(Headers.deadLetterCode)) ?? field(body?.code) ?? 'UNKNOWN';
  const reason = scrubText(typeof body?.reason === 'string' ? body.reason : body ? '' : 'the dead letter itself is not the JSON the writer stores');
  // A body that is not the writer's JSON is shown whole as the payload: it is all there is.
  const bytes = body ? payloadBytes(body.payload) : stored.data;
  const payload = payloadOf(bytes, options.maxJsonBytes);
  const facts = payload.format === 'json' ? factsOf(payload.value) : {};
  const queue = source.startsWith('jobs.') ? source.slice('jobs.'.length) : facts.queue;
  const deliveries = deliveriesOf(reason);
  return {
    seq: stored.seq,
    at: stored.time.toISOString(),
    source,
    subject: scrubText(typeof body?.subject === 'string' ? body.subject : stored.subject),
    code,
    reason,
    ...(deliveries === undefined ? {} : { deliveries }),
    ...(facts.taskId ? { taskId: facts.taskId } : {}),
    ...(facts.subTaskId ? { subTaskId: facts.subTaskId } : {}),
    ...(queue ? { queue } : {}),
    ...(facts.action ? { action: facts.action } : {}),
    payload,
  };
}

function bodyOf(data: Uint8Array): Partial<DeadLetterJson> | undefined {
  try {
    const body: unknown = JSON.parse(Buffer.from(data).toString('utf8'));
    return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Partial<DeadLetterJson>) : undefined;
  } catch {
    return undefined;
  }
}

function payloadBytes(payload: unknown): Uint8Array {
  if (typeof payload !== 'string') return new Uint8Array();
  return new Uint8Array(Buffer.from(payload, 'base64'));
}

/** The payload masked again: JSON as JSON (within `maxJsonBytes`), anything else as an escaped, capped preview. */
export function payloadOf(bytes: Uint8Array, maxJsonBytes: number): DeadLetterPayload {
  const masked = Buffer.from(scrubbedPayload(bytes)).toString('utf8');
  const size = bytes.byteLength;
  if (size <= maxJsonBytes) {
    const value = jsonOf(masked);
    if (value !== undefined) return { format: 'json', value, size };
  }
  return { format: 'text', ...previewOf(masked), size };
}

function jsonOf(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * The first PREVIEW_CHARS characters of (already masked) text, control characters and lone
 * surrogates escaped, so that what is shown is printable and cannot pass for a terminal's codes.
 */
export function previewOf(text: string): { preview: string; truncated: boolean } {
  const chars = Array.from(text);
  const truncated = chars.length > PREVIEW_CHARS;
  const preview = chars
    .slice(0, PREVIEW_CHARS)
    .map((c) => (unprintable(c.codePointAt(0)!) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c))
    .join('');
  return { preview, truncated };
}

/** C0 and C1 controls but tab and newline, DEL, the line separators, a lone surrogate. */
function unprintable(code: number): boolean {
  if (code === 0x09 || code === 0x0a) return false;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029 || (code >= 0xd800 && code <= 0xdfff);
}

/** What a job or a command says it is about (taskId, subTaskId, queue, action), short strings only. */
function factsOf(value: unknown): { taskId?: string; subTaskId?: string; queue?: string; action?: string } {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const v = value as Record<string, unknown>;
  return { taskId: field(v.taskId), subTaskId: field(v.subTaskId), queue: field(v.queue), action: field(v.action) };
}

function field(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= FIELD_CHARS && !value.includes('[REDACTED') ? value : undefined;
}

/** "gave up after 5 deliveries", "not handled in 40 deliveries": the count the writers put in the reason. */
function deliveriesOf(reason: string): number | undefined {
  const match = /\b(\d{1,9}) deliveries\b/.exec(reason);
  return match ? Number(match[1]) : undefined;
}
