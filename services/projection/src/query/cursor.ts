// Opaque keyset cursor over (created_at DESC, id DESC). created_at travels as PostgreSQL printed it
// (microseconds), not as a JS Date (milliseconds): a rounded key would skip or repeat rows.

import { isUuid } from '../projector/commit.js';
import { isTimestamp } from '../time.js';

export interface CursorKey {
  /** created_at in UTC with microseconds: 2026-11-22T10:00:00.123456Z */
  readonly createdAt: string;
  readonly id: string;
}

const MICRO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

export function encodeCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id])).toString('base64url');
}

/** The key of a cursor, or undefined when it is not one of ours. */
export function decodeCursor(cursor: string): CursorKey | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length !== 2) return undefined;
  const [createdAt, id] = value as unknown[];
  if (typeof createdAt !== 'string' || !MICRO_TIMESTAMP.test(createdAt) || !isTimestamp(createdAt) || !isUuid(id)) return undefined;
  return { createdAt, id };
}
