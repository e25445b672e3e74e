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
  // Nothing masked: the original bytes, as they came (spacing and key order included).
  const scrubbed = JSON.stringify(withSubTaskKeys(parsed, scrubJson(parsed)));
  return scrubbed === JSON.stringify(parsed) ? data : Buffer.from(scrubbed, 'utf8');
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
