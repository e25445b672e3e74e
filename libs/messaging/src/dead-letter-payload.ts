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
  const scrubbed = JSON.stringify(scrubJson(parsed));
  return scrubbed === JSON.stringify(parsed) ? data : Buffer.from(scrubbed, 'utf8');
}
