import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isErrorReply, type ErrorReplyBody } from '@vle/contracts';
import { commandsRefused } from '@vle/metrics';
import { internalError, refusalOf, type Refusal } from '../tasks/error-reply.js';
import { commandOfRequest } from './command-metrics.interceptor.js';
import { sendJson } from './send-json.js';

/** Every error leaves as the ErrorReply body of the contract: `{ code, message, violations }`. */
@Catch()
export class ErrorReplyFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const { status, body } = this.replyOf(error);
    const command = commandOfRequest(http.getRequest<IncomingMessage>());
    if (command) commandsRefused.inc({ command, transport: 'http', code: body.code });
    sendJson(http.getResponse<ServerResponse>(), status, body);
  }

  private replyOf(error: unknown): Refusal {
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      // The guard's refusals (UNAUTHENTICATED, FORBIDDEN) carry the ErrorReply body already.
      if (isErrorReply(body)) return { status, body: { violations: [], ...body } as ErrorReplyBody };
      return { status, body: { code: status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', message: error.message, violations: [] } };
    }
    const refusal = refusalOf(error);
    if (refusal) return refusal;
    this.logger.error(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
    return internalError(error);
  }
}
