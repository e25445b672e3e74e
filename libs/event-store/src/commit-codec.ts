// The wire form of one commit on `tasks.evt.<taskId>`: `{"events":[...]}` (proto
// vle.tasks.v1.TaskEventCommit). All events one command decided travel in one message because
// nats-server 2.9 has no atomic multi-message publish: a crash between two messages would store
// half a decision.

import type { TraceCarrier } from '@vle/tracing';
import { InvalidCommit, MalformedCommit } from './errors.js';

/** What the store needs of an event; the rest of its shape belongs to the domain. */
export interface EventLike {
  readonly type: string;
  readonly taskId: string;
}

export interface StoredCommit<E> {
  /** Stream sequence of the commit; the expected sequence of the next append to its Task. */
  readonly seq: number;
  readonly subject: string;
  /** ISO 8601 time the server stored it. */
  readonly time: string;
  readonly events: E[];
  /** The queues whose jobs the appender left to others (Headers.jobsLeft); absent when none. */
  readonly jobsLeft?: readonly string[];
  /** The trace context of the span that appended it (Headers.traceparent); read by subscriptions, absent when none. */
  readonly trace?: TraceCarrier;
}

/** The value of Headers.jobsLeft, parsed (a missing or empty header: none). */
export function parseJobsLeft(value: string | undefined): readonly string[] | undefined {
  const queues = (value ?? '').split(',').map((q) => q.trim()).filter((q) => q !== '');
  return queues.length > 0 ? queues : undefined;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** Refuses what no reader could fold: an empty commit, an untyped event, an event of another Task. */
export function validateCommit(taskId: string, events: readonly EventLike[]): void {
  if (events.length === 0) throw new InvalidCommit(`task ${taskId}: a commit needs at least one event`);
  events.forEach((event, i) => {
    if (typeof event.type !== 'string' || !/^[A-Za-z0-9_.-]+$/.test(event.type)) {
      throw new InvalidCommit(`task ${taskId}: events[${i}].type must be a non-empty name, got ${JSON.stringify(event.type)}`);
    }
    if (event.taskId !== taskId) {
      throw new InvalidCommit(`task ${taskId}: events[${i}] belongs to task ${JSON.stringify(event.taskId)}`);
    }
  });
}

export function encodeCommit(events: readonly EventLike[]): Uint8Array {
  return encoder.encode(JSON.stringify({ events }));
}

/** The value of the event-type header: consumers can skip a commit without parsing its body. */
export function eventTypesHeader(events: readonly EventLike[]): string {
  return events.map((event) => event.type).join(',');
}

/** Parses one stored message; throws MalformedCommit rather than yielding something unfoldable. */
export function decodeCommit<E extends EventLike>(message: { seq: number; subject: string; time: string; data: Uint8Array }, taskId: string): StoredCommit<E> {
  const malformed = (reason: string) => new MalformedCommit(message.seq, message.subject, reason);
  let body: unknown;
  try {
    body = JSON.parse(decoder.decode(message.data));
  } catch (err) {
    throw malformed(`not UTF-8 JSON (${(err as Error).message})`);
  }
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { events?: unknown }).events)) {
    throw malformed('no "events" array');
  }
  const events = (body as { events: unknown[] }).events;
  if (events.length === 0) throw malformed('"events" is empty');
  events.forEach((event, i) => {
    if (typeof event !== 'object' || event === null || typeof (event as EventLike).type !== 'string') {
      throw malformed(`events[${i}] has no string "type"`);
    }
    if ((event as EventLike).taskId !== taskId) {
      throw malformed(`events[${i}] belongs to task ${JSON.stringify((event as EventLike).taskId)}, not ${taskId}`);
    }
  });
  return { seq: message.seq, subject: message.subject, time: message.time, events: events as E[] };
}
