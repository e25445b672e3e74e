// JetStream's consumer advisories that vle-tasks listens to (core NATS, published by the server).
// A durable consumer with a finite max_deliver gives up on a message silently: these subjects are
// how we hear about it, so that the message is dead-lettered instead of lost (issue 8).

/** A message was delivered max_deliver times without an ack; it stays in its stream. */
export function maxDeliveriesAdvisorySubject(stream: string, consumer: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${consumer}`;
}

/** A message was terminated (`term`) by its consumer. */
export function terminatedAdvisorySubject(stream: string, consumer: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MSG_TERMINATED.${stream}.${consumer}`;
}

/** The fields of both advisories that we read (io.nats.jetstream.advisory.v1.max_deliver / terminated). */
export interface DeliveryAdvisory {
  readonly stream: string;
  readonly consumer: string;
  readonly stream_seq: number;
  readonly deliveries: number;
}

export function parseDeliveryAdvisory(data: Uint8Array): DeliveryAdvisory | undefined {
  try {
    const json = JSON.parse(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('utf8')) as Partial<DeliveryAdvisory>;
    if (typeof json.stream !== 'string' || typeof json.consumer !== 'string' || !Number.isSafeInteger(json.stream_seq) || !Number.isSafeInteger(json.deliveries)) return undefined;
    return json as DeliveryAdvisory;
  } catch {
    return undefined;
  }
}
