// The filter of a Task list as a tree: what the list's query parameters and the search language
// (search-parser.ts) both produce, compiled once to SQL (filter-sql.ts) and evaluated once in memory
// (filter-match.ts), so that a list, an export and the live stream select the same Tasks.

import type { FieldName } from './fields.js';

/** `<type>:<id>` or an id of any type: what a Task or one of its SubTasks is about. */
export interface ObjectRef {
  readonly type?: string;
  readonly id: string;
}

/** A value of a leaf, already checked and normalised for its field (a time is epoch milliseconds). */
export type FilterValue = string | number | ObjectRef;

/**
 * A condition that is true or false for every Task, never unknown: a field without a value (NULL)
 * satisfies no comparison, and `not` is plain negation.
 * - `eq` / `in`: equal to the value / to one of them (exact, case-sensitive);
 * - `contains`: the text holds the value, case-insensitively;
 * - `lt` `le` `gt` `ge`: times; `during`: from `values[0]` (inclusive) to `values[1]` (exclusive);
 * - `set`: the field has a value.
 * A leaf on a SubTask field is true when any of the Task's SubTasks satisfies it.
 */
export type Leaf =
  | { readonly kind: 'leaf'; readonly field: FieldName; readonly op: 'eq' | 'contains' | 'lt' | 'le' | 'gt' | 'ge'; readonly values: readonly [FilterValue] }
  | { readonly kind: 'leaf'; readonly field: FieldName; readonly op: 'in'; readonly values: readonly FilterValue[] }
  | { readonly kind: 'leaf'; readonly field: FieldName; readonly op: 'during'; readonly values: readonly [number, number] }
  | { readonly kind: 'leaf'; readonly field: FieldName; readonly op: 'set'; readonly values: readonly [] };

export type FilterNode =
  | Leaf
  | { readonly kind: 'and'; readonly items: readonly FilterNode[] }
  | { readonly kind: 'or'; readonly items: readonly FilterNode[] }
  | { readonly kind: 'not'; readonly item: FilterNode };

export type LeafOp = Leaf['op'];

export function leaf(field: FieldName, op: LeafOp, values: readonly FilterValue[]): Leaf {
  return { kind: 'leaf', field, op, values } as Leaf;
}

export function and(items: readonly FilterNode[]): FilterNode | undefined {
  const flat = items.flatMap((i) => (i.kind === 'and' ? i.items : [i]));
  return flat.length === 0 ? undefined : flat.length === 1 ? flat[0] : { kind: 'and', items: flat };
}

export function or(items: readonly FilterNode[]): FilterNode {
  const flat = items.flatMap((i) => (i.kind === 'or' ? i.items : [i]));
  return flat.length === 1 ? flat[0]! : { kind: 'or', items: flat };
}

export function not(item: FilterNode): FilterNode {
  return { kind: 'not', item };
}

/** Every leaf of a tree, in order. */
export function leavesOf(node: FilterNode): Leaf[] {
  return node.kind === 'leaf' ? [node] : node.kind === 'not' ? leavesOf(node.item) : node.items.flatMap(leavesOf);
}
