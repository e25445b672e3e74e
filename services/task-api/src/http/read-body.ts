import type { IncomingMessage } from 'node:http';
import { ContractError, MAX_MESSAGE_BYTES } from '@vle/contracts';

/**
 * The raw request body, bounded: the contract layer parses it, so that malformed JSON and an
 * oversized body get the same named errors over HTTP as over NATS.
 */
export async function readBody(request: IncomingMessage, limit = MAX_MESSAGE_BYTES): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) {
    request.resume();
    throw new ContractError('PAYLOAD_TOO_LARGE', `request body of ${declared} bytes is larger than the limit of ${limit} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      request.resume();
      throw new ContractError('PAYLOAD_TOO_LARGE', `request body is larger than the limit of ${limit} bytes`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
