import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';

/** The part of Express' response used here (no @types/express in the workspace). */
interface HttpResponse {
  status(code: number): { json(body: unknown): void };
}

/** PostgreSQL's "canceling statement due to statement timeout" (and other cancels). */
const QUERY_CANCELED = '57014';

/**
 * A read stopped by PROJECTION_QUERY_TIMEOUT_MS: 503 QUERY_TIMEOUT, which a client may retry or
 * narrow. Any other failed statement is this service's fault: 500, logged, its SQL not sent back.
 */
@Catch(QueryFailedError)
export class QueryFailedFilter implements ExceptionFilter {
  private readonly logger = new Logger('QueryFailedFilter');

  catch(error: QueryFailedError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<HttpResponse>();
    const code = (error.driverError as { code?: string } | undefined)?.code;
    if (code === QUERY_CANCELED) {
      response.status(503).json({ code: 'QUERY_TIMEOUT', message: 'the query took longer than this service allows (PROJECTION_QUERY_TIMEOUT_MS); narrow the filter or try again', violations: [] });
      return;
    }
    this.logger.error(`a read failed: ${code ?? '?'} ${error.message}`);
    response.status(500).json({ code: 'INTERNAL', message: 'the read failed; see the service log', violations: [] });
  }
}
