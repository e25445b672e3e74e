// Secrets never reach the event log, the read model or the logs (DESIGN §7): keys that name a
// secret are replaced before a command's params become an event. Workers take credentials from
// their own configuration, never from params.

import { isSecretKey, REDACTED, scrubText } from '@vle/contracts';
import type { JsonObject, JsonValue } from './events.js';

export { isSecretKey, REDACTED };

export function redactSecrets(params: JsonObject): JsonObject {
  return redactObject(params);
}

function redactObject(object: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    out[key] = isSecretKey(key) && value !== null ? REDACTED : redactValue(value);
  }
  return out;
}

function redactValue(value: JsonValue): JsonValue {
  if (Array.isArray(value)) return value.map(redactValue);
  if (value !== null && typeof value === 'object') return redactObject(value);
  return typeof value === 'string' ? scrubText(value) : value;
}
