// Ids are assigned outside the domain. A Task created with an idempotency key gets an id derived
// from (createdBy, key): the same key always names the same Task subject, so the expected-sequence
// fence of an empty subject makes a second Task impossible on any path, with no dedup window.
// A durable create without a key takes its key from the stream message that carried it, so that
// every delivery of that message (a redelivery after a crash before the ack) names one Task.

import { createHash } from 'node:crypto';
import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

const TASK_NAMESPACE = 'b4b9a0a4-4f3c-4f7e-9a43-6f1d1c6e2a10';

export function taskIdFor(createdBy: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? uuidv5(`${createdBy}\n${idempotencyKey}`, TASK_NAMESPACE) : uuidv7();
}

/**
 * The TASK_COMMANDS message a durable command arrived in. Stream and sequence name it for as long as
 * the stream lives; the time the server stored it tells it apart from a message of a recreated stream
 * that reuses the sequence. A publisher's retry within the duplicate window (same Nats-Msg-Id) is the
 * same stream message; a publish after the window is a new message, and a new Task.
 */
export interface CommandMessage {
  readonly stream: string;
  readonly seq: number;
  readonly storedAtNanos: bigint;
}

export function messageIdempotencyKey(message: CommandMessage): string {
  return `nats:${message.stream}:${message.seq}:${message.storedAtNanos}`;
}

export function subTaskIdFor(taskId: string, key: string): string {
  return uuidv5(key, taskId);
}

/** A stable hash of a command's JSON (protobuf JSON has a fixed field order). */
export function requestHash(json: unknown): string {
  return createHash('sha256').update(JSON.stringify(json)).digest('base64url');
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
