// An HTTP response as the sink of an export: chunked, with backpressure, and the end of the reader
// (a closed connection) seen at the next write.

import type { ServerResponse } from 'node:http';
import type { CsvSink } from './csv-stream.js';

/** Trailer naming whether the cap cut the export, for clients that read trailers (curl --raw, node:http). */
export const TRUNCATED_TRAILER = 'X-Export-Truncated';

export function responseSink(response: ServerResponse, headers: Record<string, string>): CsvSink {
  return {
    begin() {
      response.writeHead(200, { ...headers, Trailer: TRUNCATED_TRAILER });
    },
    write(chunk) {
      return new Promise((resolve) => {
        if (response.destroyed || response.writableEnded) return resolve(false);
        if (response.write(chunk)) return resolve(true);
        const done = (wanted: boolean) => () => {
          response.off('drain', onDrain);
          response.off('close', onClose);
          resolve(wanted);
        };
        const onDrain = done(true);
        const onClose = done(false);
        response.once('drain', onDrain);
        response.once('close', onClose);
      });
    },
  };
}

/** Ends a response the sink began, with the trailer. */
export function endExport(response: ServerResponse, truncated: boolean): void {
  if (response.destroyed || response.writableEnded) return;
  response.addTrailers({ [TRUNCATED_TRAILER]: String(truncated) });
  response.end();
}
