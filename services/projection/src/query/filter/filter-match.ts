// A filter tree evaluated on a Task in memory: the live stream's filter, and the oracle the SQL of
// filter-sql.ts is tested against. A field without a value satisfies no comparison; `contains` is
// case-insensitive as ILIKE is.

import type { FilterNode, Leaf, ObjectRef } from './filter.js';
import { fieldDef, type FilterSubTask, type FilterTask } from './fields.js';

function compare(value: string | number | null, l: Leaf): boolean {
  if (value === null) return false;
  const time = value as number;
  switch (l.op) {
    case 'eq':
      return value === l.values[0];
    case 'in':
      return l.values.includes(value);
    case 'contains':
      return String(value).toLowerCase().includes((l.values[0] as string).toLowerCase());
    case 'lt':
      return time < (l.values[0] as number);
    case 'le':
      return time <= (l.values[0] as number);
    case 'gt':
      return time > (l.values[0] as number);
    case 'ge':
      return time >= (l.values[0] as number);
    case 'during':
      return time >= l.values[0] && time < l.values[1];
    case 'set':
      return true;
  }
}

const isAbout = (o: { readonly objectType: string | null; readonly objectId: string | null }, ref: ObjectRef) => o.objectId === ref.id && (ref.type === undefined || o.objectType === ref.type);

function matchesLeaf(task: FilterTask, l: Leaf): boolean {
  const def = fieldDef(l.field);
  if (def.level === 'object') {
    const refs = l.values as readonly ObjectRef[];
    return refs.some((ref) => isAbout(task, ref) || task.subtasks.some((s) => isAbout(s, ref)));
  }
  if (def.level === 'subtask') return task.subtasks.some((s: FilterSubTask) => compare(def.read(s), l));
  return compare(def.read(task), l);
}

export function matches(task: FilterTask, node: FilterNode): boolean {
  switch (node.kind) {
    case 'and':
      return node.items.every((i) => matches(task, i));
    case 'or':
      return node.items.some((i) => matches(task, i));
    case 'not':
      return !matches(task, node.item);
    case 'leaf':
      return matchesLeaf(task, node);
  }
}
