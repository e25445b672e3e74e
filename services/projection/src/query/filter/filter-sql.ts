// A filter tree as a PostgreSQL condition over `tasks t`: every value a bound parameter, every column
// from the allow-list (fields.ts). A comparison with a column that has no value is NULL, which a
// WHERE treats as false; under `not` it is made false first, so that `not` is plain negation and the
// SQL selects exactly what filter-match.ts selects in memory.

import { minuteOf } from '../../db/migrations/1767600000000-updated-minute.js';
import type { FilterNode, Leaf, ObjectRef } from './filter.js';
import { fieldDef } from './fields.js';

export interface SqlCondition {
  readonly sql: string;
  readonly params: Record<string, unknown>;
}

/** LIKE pattern for "contains `text`", with LIKE's wildcards taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const iso = (ms: unknown) => new Date(ms as number).toISOString();

/** The time a time comparison's rows are at or after, if it has one. */
function lowerBound(l: Leaf): number | undefined {
  return l.op === 'gt' || l.op === 'ge' || l.op === 'during' ? (l.values[0] as number) : undefined;
}

class Compiler {
  readonly params: Record<string, unknown> = {};
  private n = 0;

  constructor(private readonly prefix: string) {}

  private param(value: unknown): string {
    const name = `${this.prefix}${this.n++}`;
    this.params[name] = value;
    return `:${name}`;
  }

  node(node: FilterNode): string {
    switch (node.kind) {
      case 'and':
        return `(${node.items.map((i) => this.node(i)).join(' AND ')})`;
      case 'or':
        return `(${node.items.map((i) => this.node(i)).join(' OR ')})`;
      case 'not':
        return `(NOT COALESCE(${this.node(node.item)}, false))`;
      case 'leaf':
        return this.leaf(node);
    }
  }

  private leaf(l: Leaf): string {
    const def = fieldDef(l.field);
    if (def.level === 'object') return this.object(l);
    if (def.level === 'subtask') return `EXISTS (SELECT 1 FROM sub_tasks s WHERE s.task_id = t.id AND ${this.comparison(`s.${def.column}`, l, def.kind)})`;
    const comparison = this.comparison(`t.${def.column}`, l, def.kind);
    const from = def.minuteColumn === undefined ? undefined : lowerBound(l);
    // Implied by the comparison, so the same rows (also under `not`); only the index is new.
    return from === undefined ? comparison : `(t.${def.minuteColumn} >= ${minuteOf(`CAST(${this.param(iso(from))} AS timestamptz)`)} AND ${comparison})`;
  }

  private comparison(column: string, l: Leaf, kind: string): string {
    const uuid = kind === 'uuid' && column === 't.id';
    switch (l.op) {
      case 'eq':
        return uuid ? `${column} = CAST(${this.param(l.values[0])} AS uuid)` : `${column} = ${this.param(l.values[0])}`;
      case 'in':
        return uuid ? `${column} = ANY(CAST(${this.param(l.values)} AS uuid[]))` : `${column} = ANY(CAST(${this.param(l.values)} AS text[]))`;
      case 'contains':
        return `${column} ILIKE ${this.param(containsPattern(l.values[0] as string))} ESCAPE '\\'`;
      case 'lt':
        return `${column} < CAST(${this.param(iso(l.values[0]))} AS timestamptz)`;
      case 'le':
        return `${column} <= CAST(${this.param(iso(l.values[0]))} AS timestamptz)`;
      case 'gt':
        return `${column} > CAST(${this.param(iso(l.values[0]))} AS timestamptz)`;
      case 'ge':
        return `${column} >= CAST(${this.param(iso(l.values[0]))} AS timestamptz)`;
      case 'during':
        return `(${column} >= CAST(${this.param(iso(l.values[0]))} AS timestamptz) AND ${column} < CAST(${this.param(iso(l.values[1]))} AS timestamptz))`;
      case 'set':
        return `${column} IS NOT NULL`;
    }
  }

  /**
   * The Task's own object, or any of its SubTasks' (`in`: any of the objects): the ids of both
   * lookups, each served by its table's object_id index (an OR across the two tables would read
   * every row of one of them).
   */
  private object(l: Leaf): string {
    const refs = l.values as readonly ObjectRef[];
    const one = (alias: string, ref: ObjectRef) => (ref.type === undefined ? `${alias}.object_id = ${this.param(ref.id)}` : `(${alias}.object_type = ${this.param(ref.type)} AND ${alias}.object_id = ${this.param(ref.id)})`);
    const any = (alias: string) => (refs.length === 1 ? one(alias, refs[0]!) : `(${refs.map((r) => one(alias, r)).join(' OR ')})`);
    return `t.id IN (SELECT o.id FROM tasks o WHERE ${any('o')} UNION SELECT s.task_id FROM sub_tasks s WHERE ${any('s')})`;
  }
}

/** The condition of `node` over `tasks t`; parameter names start with `prefix` (unique per query). */
export function filterSql(node: FilterNode, prefix = 'f'): SqlCondition {
  const compiler = new Compiler(prefix);
  const sql = compiler.node(node);
  return { sql, params: compiler.params };
}
