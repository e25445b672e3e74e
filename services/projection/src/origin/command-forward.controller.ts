import { Controller, Post, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { COMMAND_HTTP_ROUTES } from '@vle/contracts';
import { ForwardedRoute } from '@vle/service-kit';
import { CommandForwarder } from './command-forwarder.js';

/**
 * The command routes of task-api (COMMAND_HTTP_ROUTES, POST only), forwarded as they are: this origin
 * serves no command itself, and nothing else is forwarded (a GET on these paths is the projection's,
 * and answered 404 by it). @ForwardedRoute: the guard of this service does not check the token here;
 * task-api does, with the permission of each command (its COMMAND_PERMISSIONS), and its 401/403 reach
 * the caller unchanged. No handler here sees a principal, so nothing is done on an unchecked token.
 */
@Controller()
@ForwardedRoute('task-api')
export class CommandForwardController {
  constructor(private readonly forwarder: CommandForwarder) {}

  @Post(COMMAND_HTTP_ROUTES.create)
  create(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    return this.forwarder.forward(request, response);
  }

  @Post(COMMAND_HTTP_ROUTES.retry)
  retry(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    return this.forwarder.forward(request, response);
  }

  @Post(COMMAND_HTTP_ROUTES.skip)
  skip(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    return this.forwarder.forward(request, response);
  }

  @Post(COMMAND_HTTP_ROUTES.cancel)
  cancel(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    return this.forwarder.forward(request, response);
  }

  @Post(COMMAND_HTTP_ROUTES.pin)
  pin(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    return this.forwarder.forward(request, response);
  }

  @Post(COMMAND_HTTP_ROUTES.unpin)
  unpin(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    return this.forwarder.forward(request, response);
  }
}
