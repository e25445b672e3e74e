// Queries of the search language generated from a grammar over the fields of fields.ts, with values
// from the pools of generated-rows.ts (and some that match nothing): every one is in the language.

import fc from 'fast-check';
import { QUEUE_NAMES } from '@vle/contracts';
import { OBJECT_TYPES, SUB_TASK_STATUSES, TASK_STATUSES } from '@vle/domain';
import { FIELDS, type FieldName } from '../query/filter/fields.js';
import { POOLS, type GeneratedRows } from './generated-rows.js';

const DAY = 86_400_000;

/** A value as the language writes it: bare when it can be, else quoted with its escapes. */
export const quoted = (v: string) => `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
const written = fc.boolean();
const literal = (values: readonly string[]) =>
  fc.tuple(fc.constantFrom(...values), written).map(([v, bare]) => (bare && /^[A-Za-z0-9_.:@-]+$/.test(v) && !['and', 'or', 'not'].includes(v.toLowerCase()) ? v : quoted(v)));

function timeValue(rows: GeneratedRows, now: number): fc.Arbitrary<string> {
  // Instants of the rows themselves probe the boundaries of < <= > >=.
  const exact = fc.integer({ min: 0, max: rows.tasks.length - 1 }).map((i) => quoted(rows.tasks[i]!.createdAt.toISOString()));
  const relative = fc.tuple(fc.integer({ min: 1, max: 12 }), fc.constantFrom('minutes', 'hours', 'days', 'week', 'h', 'd')).map(([n, unit]) => quoted(`${n} ${unit} ago`));
  const day = fc.integer({ min: 0, max: 11 }).map((d) => new Date(now - d * DAY).toISOString().slice(0, 10));
  return fc.oneof(exact, relative, day, fc.constantFrom('today', 'yesterday', 'now'));
}

function valuesOf(rows: GeneratedRows): Partial<Record<FieldName, () => fc.Arbitrary<string>>> {
  const n = rows.tasks.length;
  return {
  id: () => fc.integer({ min: 0, max: n + 20 }).map((i) => (i < n ? rows.tasks[i]!.id : '0190a7e2-ffff-7000-8000-000000000000')),
  name: () => fc.oneof(literal(POOLS.nameWords), literal(['cl', 'LAB', 'é', 'É', '%', '_', '\\', ' ', 'zzz', ''])),
  status: () => literal(TASK_STATUSES),
  type: () => literal([...POOLS.types, 'vm', 'clone', 'x']),
  user: () => literal([...POOLS.users, 'ALICE', 'al', 'dave']),
  event: () => literal([...POOLS.events, '4', '999']),
  origin: () => fc.integer({ min: 0, max: n + 20 }).map((i) => (i < n ? rows.tasks[i]!.id : '0190a7e2-eeee-7000-8000-000000000000')),
  object_type: () => literal(OBJECT_TYPES),
  object: () => fc.oneof(literal(POOLS.objectIds), fc.tuple(fc.constantFrom(...OBJECT_TYPES), fc.constantFrom(...POOLS.objectIds)).map(([t, id]) => quoted(`${t}:${id}`))),
  queue: () => literal(QUEUE_NAMES),
  action: () => literal([...POOLS.actions, 'vm', 'start']),
  subtask_status: () => literal(SUB_TASK_STATUSES),
  response_code: () => literal([...POOLS.codes, 'storage', 'ok']),
  message: () => literal([...POOLS.messages, 'storage full', 'FULL', 'pve2']),
  };
}

const OPS: Record<string, readonly string[]> = {
  text: ['=', '!=', '~', '!~'],
  enum: ['=', '!='],
  uuid: ['=', '!='],
  object: ['=', '!='],
  time: ['=', '!=', '<', '<=', '>', '>='],
};

function condition(rows: GeneratedRows, now: number): fc.Arbitrary<string> {
  const VALUES = valuesOf(rows);
  const names = Object.keys(FIELDS) as FieldName[];
  const comparisons = fc.constantFrom(...names).chain((name) => {
    const def = FIELDS[name];
    const value = def.kind === 'time' ? timeValue(rows, now) : VALUES[name]!();
    const field = fc.constantFrom(name, ...def.aliases);
    const single = fc.tuple(field, fc.constantFrom(...OPS[def.kind]!), value).map(([f, op, v]) => `${f} ${op} ${v}`);
    if (def.kind === 'time') return single;
    const list = fc.tuple(field, fc.constantFrom('^', '!^'), fc.array(value, { minLength: 1, maxLength: 3 })).map(([f, op, vs]) => `${f} ${op} (${vs.join(', ')})`);
    return fc.oneof(single, single, list);
  });
  const nullable = (Object.keys(FIELDS) as FieldName[]).filter((n) => FIELDS[n].nullable);
  const presence = fc.tuple(fc.constantFrom('set?', 'null?'), fc.constantFrom(...nullable)).map(([k, f]) => `${k} ${f}`);
  const bare = VALUES.name!();
  return fc.oneof({ weight: 8, arbitrary: comparisons }, { weight: 1, arbitrary: presence }, { weight: 1, arbitrary: bare });
}

/** Queries about `rows`, relative times against `now`. */
export function searchQueries(rows: GeneratedRows, now: number): fc.Arbitrary<string> {
  const { expr } = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      condition(rows, now),
      fc.tuple(tie('expr'), fc.constantFrom(' and ', ' or ', ' ', ' & ', ' | ', ' AND ', ' || '), tie('expr')).map(([a, join, b]) => `${a}${join}${b}`),
      tie('expr').map((e) => `not (${e})`),
      tie('expr').map((e) => `!(${e})`),
      tie('expr').map((e) => `(${e})`),
    ),
  }));
  return expr;
}

