import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { isErrorReply } from '@vle/contracts';
import { internalError, refusalOf } from '../tasks/error-reply.js';
import { sendJson } from './send-json.js';

/** Every error leaves as the ErrorReply body of the contract: `{ code, message, violations }`. */
@Catch()
export class ErrorReplyFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(error: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    if (error instanceof HttpException) {
      const status = error.getStatus();
      const body = error.getResponse();
      // The guard's refusals (UNAUTHENTICATED, FORBIDDEN) carry the ErrorReply body already.
      if (isErrorReply(body)) sendJson(response, status, { violations: [], ...body });
      else sendJson(response, status, { code: status === 404 ? 'NOT_FOUND' : 'HTTP_ERROR', message: error.message, violations: [] });
      return;
    }
    const refusal = refusalOf(error);
    if (refusal) {
      sendJson(response, refusal.status, refusal.body);
      return;
    }
    this.logger.error(`request failed: ${error instanceof Error ? error.stack : String(error)}`);
    const failure = internalError(error);
    sendJson(response, failure.status, failure.body);
  }
}
