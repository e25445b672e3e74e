// A message that cannot be handled is published, with its reason, to the dead-letter subject of its
// source and then removed from its queue: it never blocks the queue and is never lost silently.

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, scrubText, type DeadLetterJson } from '@vle/contracts';
import { deadLetters } from '@vle/metrics';
import { scrubbedPayload } from './dead-letter-payload.js';

export interface DeadLetterInput {
  readonly source: string;
  readonly deadLetterSubject: string;
  readonly code: string;
  readonly reason: string;
  readonly message: Pick<JsMsg, 'subject' | 'data' | 'seq'>;
}

export async function publishDeadLetter(js: JetStreamClient, input: DeadLetterInput): Promise<void> {
  const body: DeadLetterJson = {
    source: input.source,
    subject: input.message.subject,
    code: input.code,
    reason: scrubText(input.reason),
    payload: Buffer.from(scrubbedPayload(input.message.data)).toString('base64'),
    streamSequence: String(input.message.seq),
  };
  const h = natsHeaders();
  h.set(Headers.deadLetterCode, input.code);
  // The dedup id makes a dead letter published twice (crash before the ack) appear once.
  await js.publish(input.deadLetterSubject, JSON.stringify(body), { headers: h, msgID: `${input.source}:${input.message.seq}` });
  deadLetters.inc({ source: input.source, code: input.code });
}
