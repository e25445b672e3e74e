// Counts the commands accepted over HTTP (vle_commands_accepted_total); the refused ones are counted
// where every refusal leaves, the ErrorReplyFilter, the guard's 401 and 403 included.

import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { COMMAND_HTTP_ROUTES, type CommandName } from '@vle/contracts';
import { commandsAccepted } from '@vle/metrics';
import { tap, type Observable } from 'rxjs';

const COMMAND_OF_ROUTE: ReadonlyMap<string, CommandName> = new Map(Object.entries(COMMAND_HTTP_ROUTES).map(([command, path]) => [path, command as CommandName]));

/** The command of a request to one of COMMAND_HTTP_ROUTES (by the route it matched); undefined for any other. */
export function commandOfRequest(request: IncomingMessage): CommandName | undefined {
  const route = (request as IncomingMessage & { route?: { path?: unknown } }).route?.path;
  return typeof route === 'string' ? COMMAND_OF_ROUTE.get(route) : undefined;
}

@Injectable()
export class CommandMetricsInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const command = commandOfRequest(context.switchToHttp().getRequest<IncomingMessage>());
    return next.handle().pipe(tap({ complete: () => command && commandsAccepted.inc({ command, transport: 'http' }) }));
  }
}
