import type { IncomingMessage } from 'node:http';
import { ContractError, MAX_MESSAGE_BYTES } from '@vle/contracts';

/**
 * The raw request body, bounded: the contract layer parses it, so that malformed JSON and an
 * oversized body get the same named errors over HTTP as over NATS. A body that is not JSON by its
 * Content-Type is refused before it is read: a form or text/plain body is what a page of another
 * origin can send without asking the browser first (no CORS is served either).
 */
export async function readBody(request: IncomingMessage, limit = MAX_MESSAGE_BYTES): Promise<Buffer> {
  refuseNonJson(request);
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

/** application/json or a +json type, whenever the request has a body (an empty one may have none). */
function refuseNonJson(request: IncomingMessage): void {
  const hasBody = Number(request.headers['content-length'] ?? 0) > 0 || request.headers['transfer-encoding'] !== undefined;
  const type = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!hasBody && type === '') return;
  if (type === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(type)) return;
  request.resume();
  throw new ContractError('UNSUPPORTED_MEDIA_TYPE', `the request body must be application/json, not ${type || 'without a Content-Type'}`, [{ field: 'Content-Type', message: 'must be application/json' }]);
}
