// Secrets never reach the event log, the read model or the logs (DESIGN §7): keys that name a
// secret are replaced, and secrets inside string values (a URL with a token) masked, before a
// command's params become an event. Workers take credentials from their own configuration, never
// from params. The one scrubber is @vle/contracts' secrets.ts.
//
// The walk is iterative: params reach the domain from every intake and from the log, and no depth
// of nesting may overflow the stack here (the contract bounds the depth of commands, not of history).

import { isSecretKey, REDACTED, scrubText } from '@vle/contracts/secrets';
import type { JsonObject, JsonValue } from './events.js';

export { isSecretKey, REDACTED };

type Container = JsonObject | JsonValue[];

/** A copy to fill: `source`'s entries are written into `target`. */
interface Pending {
  readonly source: Container;
  readonly target: Container;
}

export function redactSecrets(params: JsonObject): JsonObject {
  const root: JsonObject = {};
  const pending: Pending[] = [{ source: params, target: root }];
  while (pending.length > 0) {
    const { source, target } = pending.pop()!;
    const copyOf = (value: JsonValue): JsonValue => {
      if (typeof value === 'string') return scrubText(value);
      if (value === null || typeof value !== 'object') return value;
      const copy: Container = Array.isArray(value) ? [] : {};
      pending.push({ source: value, target: copy });
      return copy;
    };
    if (Array.isArray(source)) {
      for (const item of source) (target as JsonValue[]).push(copyOf(item));
      continue;
    }
    for (const [key, value] of Object.entries(source)) {
      const redacted = isSecretKey(key) && value !== null ? REDACTED : copyOf(value);
      // defineProperty, not assignment: a `__proto__` key of JSON stays data.
      Object.defineProperty(target, key, { value: redacted, enumerable: true, writable: true, configurable: true });
    }
  }
  return root;
}
