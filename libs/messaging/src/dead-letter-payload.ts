// What a dead letter keeps of the message it stands for: the bytes as they came, with what looks
// like a secret masked (DESIGN §7: dead letters live for days and admins read them). Valid JSON keeps
// its shape; anything else is scrubbed as text, so a malformed command still shows why it failed.

import { scrubJson, scrubText } from '@vle/contracts';

export function scrubbedPayload(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const scrubbed = scrubText(text);
    return scrubbed === text ? data : Buffer.from(scrubbed, 'utf8');
  }
  // scrubJson cuts what is nested deeper than its bound, so its result is shallow enough to
  // stringify; the original may not be (poison input 10,000 levels deep): it is compared only when
  // it is within the bound, and otherwise was changed by the cut anyway.
  const scrubbed = JSON.stringify(withSubTaskKeys(parsed, scrubJson(parsed, SCRUB_DEPTH)));
  // Nothing masked: the original bytes, as they came (spacing and key order included).
  return !deeperThan(parsed, SCRUB_DEPTH) && scrubbed === JSON.stringify(parsed) ? data : Buffer.from(scrubbed, 'utf8');
}

const SCRUB_DEPTH = 32;

/** Whether `value` nests deeper than `max` levels, found without recursion. */
function deeperThan(value: unknown, max: number): boolean {
  const pending: Array<{ item: unknown; depth: number }> = [{ item: value, depth: 0 }];
  while (pending.length > 0) {
    const { item, depth } = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    if (depth >= max) return true;
    for (const child of Object.values(item)) pending.push({ item: child, depth: depth + 1 });
  }
  return false;
}

// A DAG's `subtasks[].key` names a step (`dependsOn` refers to it, DAG_CYCLE quotes it), not a secret.
function withSubTaskKeys(original: unknown, scrubbed: unknown): unknown {
  const subtasks = (value: unknown): unknown[] | undefined => {
    const list = typeof value === 'object' && value !== null ? (value as { subtasks?: unknown }).subtasks : undefined;
    return Array.isArray(list) ? list : undefined;
  };
  const [before, after] = [subtasks(original), subtasks(scrubbed)];
  before?.forEach((step, i) => {
    const key = typeof step === 'object' && step !== null ? (step as { key?: unknown }).key : undefined;
    const target = after?.[i];
    if (typeof key === 'string' && typeof target === 'object' && target !== null) (target as { key?: unknown }).key = scrubText(key);
  });
  return scrubbed;
}
