// The encoded size of what the domain decides, so that one decision fits one commit of the event
// log: a commit is the JSON `{"events":[...]}` (libs/event-store's codec), in UTF-8.

import type { TaskEvent } from './events.js';

/** Bytes of `text` in UTF-8 (a lone surrogate counts as the 3 bytes of its replacement). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** Bytes of a value's JSON, as it is written inside a commit. */
export function jsonBytes(value: unknown): number {
  return utf8Length(JSON.stringify(value));
}

/** Bytes of the commit that holds `events`. */
export function commitBytes(events: readonly TaskEvent[]): number {
  return jsonBytes({ events });
}
