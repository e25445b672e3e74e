import { Catch, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ContractError } from '@vle/contracts';

/** The part of Express' response used here (no @types/express in the workspace). */
interface HttpResponse {
  status(code: number): { json(body: unknown): void };
}

/** A request that does not satisfy the API: 400 with the ErrorReply body (code, message, violations). */
@Catch(ContractError)
export class ContractErrorFilter implements ExceptionFilter {
  catch(error: ContractError, host: ArgumentsHost): void {
    host.switchToHttp().getResponse<HttpResponse>().status(400).json(error.toReply());
  }
}
