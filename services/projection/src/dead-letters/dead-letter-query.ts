// The query of GET /api/v1/dead-letters (README, "Dead letters"): a page newest first below a stream
// sequence, filtered by source, code and time. Every bad field is named in one 400.

import { ContractError, QUEUE_NAMES, type Violation } from '@vle/contracts';
import { isDateOrTime } from '../time.js';

export const DEFAULT_DEAD_LETTER_LIMIT = 50;
export const MAX_DEAD_LETTER_LIMIT = 200;

/** `commands`, `jobs` (every queue), `jobs.<queue>`, `inventory.pve`, `deadlines`. */
export const DEAD_LETTER_SOURCES = ['commands', 'jobs', ...QUEUE_NAMES.map((q) => `jobs.${q}`), 'inventory.pve', 'deadlines'] as const;

export interface DeadLetterQuery {
  /** Only dead letters with a smaller stream sequence (absent: from the newest). */
  readonly before?: number;
  readonly limit: number;
  readonly sources?: readonly string[];
  readonly codes?: readonly string[];
  readonly since?: Date;
  readonly until?: Date;
}

const KNOWN = ['before', 'limit', 'source', 'code', 'since', 'until'];
const CODE = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
const SEQ = /^[1-9]\d{0,15}$/;

type RawQuery = Record<string, unknown>;

export function parseDeadLetterQuery(query: RawQuery): DeadLetterQuery {
  const violations: Violation[] = [];
  const fail = (field: string, message: string): undefined => void violations.push({ field, message });
  for (const key of Object.keys(query)) if (!KNOWN.includes(key)) fail(key, `is not a parameter; use ${KNOWN.join(', ')}`);
  const one = (field: string): string | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') return fail(field, 'must be given once, as a string');
    if (value.trim() === '') return fail(field, 'must not be empty');
    return value;
  };
  const many = (field: string, ok: (v: string) => boolean, what: string): string[] | undefined => {
    const value = query[field];
    if (value === undefined) return undefined;
    const parts = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
    if (parts.length > 20) return fail(field, 'at most 20 values');
    const bad = parts.find((p) => typeof p !== 'string' || !ok(p.trim()));
    if (bad !== undefined) return fail(field, `${JSON.stringify(bad).slice(0, 80)} ${what}`);
    return [...new Set((parts as string[]).map((p) => p.trim()))];
  };
  const time = (field: string): Date | undefined => {
    const value = one(field);
    if (value === undefined) return undefined;
    if (!isDateOrTime(value)) return fail(field, 'must be a date (2026-11-22) or an ISO 8601 time with a zone (2026-11-22T10:00:00Z)');
    return new Date(/T/.test(value) ? value : `${value}T00:00:00Z`);
  };

  const beforeText = one('before');
  const before = beforeText === undefined ? undefined : SEQ.test(beforeText) && Number.isSafeInteger(Number(beforeText)) ? Number(beforeText) : fail('before', 'must be a stream sequence (a positive integer), e.g. nextBefore as given');
  const limitText = one('limit');
  let limit = DEFAULT_DEAD_LETTER_LIMIT;
  if (limitText !== undefined) {
    const n = /^\d{1,4}$/.test(limitText) ? Number(limitText) : Number.NaN;
    if (n >= 1 && n <= MAX_DEAD_LETTER_LIMIT) limit = n;
    else fail('limit', `must be an integer from 1 to ${MAX_DEAD_LETTER_LIMIT}`);
  }
  const sources = many('source', (v) => (DEAD_LETTER_SOURCES as readonly string[]).includes(v), `is not one of ${DEAD_LETTER_SOURCES.join(', ')}`);
  const codes = many('code', (v) => CODE.test(v), 'is not a code (letters, digits and _, e.g. MAX_DELIVERIES)');
  const since = time('since');
  const until = time('until');
  if (since && until && since.getTime() > until.getTime()) fail('until', 'must not be before since');
  if (violations.length > 0) {
    throw new ContractError('VALIDATION_FAILED', `invalid dead-letter query: ${violations.map((v) => `${v.field}: ${v.message}`).join('; ')}`, violations);
  }
  return { ...(before === undefined ? {} : { before }), limit, ...(sources ? { sources } : {}), ...(codes ? { codes } : {}), ...(since ? { since } : {}), ...(until ? { until } : {}) };
}

/** The `:seq` of GET /api/v1/dead-letters/:seq, or a 400 naming it. */
export function parseDeadLetterSeq(raw: string): number {
  if (SEQ.test(raw) && Number.isSafeInteger(Number(raw))) return Number(raw);
  throw new ContractError('VALIDATION_FAILED', 'invalid dead-letter sequence: seq: must be a stream sequence (a positive integer)', [{ field: 'seq', message: 'must be a stream sequence (a positive integer)' }]);
}

/** Whether a dead letter of `source` (`jobs.mails`) is asked for by `sources` (`jobs`, `jobs.mails`). */
export function sourceMatches(source: string, sources: readonly string[] | undefined): boolean {
  return !sources || sources.some((s) => s === source || (s === 'jobs' && source.startsWith('jobs.')));
}
