import { Controller, HttpCode, Param, Post, Req, Res, UseInterceptors } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '@vle/auth';
import { decodeJson, MAX_MESSAGE_BYTES } from '@vle/contracts';
import { Caller, RequirePermission } from '@vle/service-kit';
import { CommandBudget } from '../tasks/command-budget.js';
import { COMMAND_PERMISSIONS } from '../tasks/command-permissions.js';
import { TaskCommandService } from '../tasks/task-command.service.js';
import { CommandMetricsInterceptor } from './command-metrics.interceptor.js';
import { readBody } from './read-body.js';
import { sendJson } from './send-json.js';

/**
 * Commands over HTTP: the body is the contract message (proto JSON) of the command. Each route needs
 * its permission (COMMAND_PERMISSIONS, checked by the guard of service-kit before anything is read),
 * and the token's subject is the command's actor. Each holds room in the command budget from before
 * its body is read until it is answered (503 BUSY beyond it).
 */
@Controller('api/v1/tasks')
@UseInterceptors(CommandMetricsInterceptor)
export class TasksController {
  constructor(
    private readonly service: TaskCommandService,
    private readonly budget: CommandBudget,
  ) {}

  /** 201 with the new Task's ids; 200 when the idempotency key named an existing Task. */
  @Post()
  @RequirePermission(COMMAND_PERMISSIONS.create)
  async create(@Req() request: IncomingMessage, @Res() response: ServerResponse, @Caller() caller: Principal): Promise<void> {
    const result = await this.budget.run(bodyBytesOf(request), async () => this.service.create(await readBody(request), caller));
    sendJson(response, result.existing ? 200 : 201, result, { location: `/api/v1/tasks/${result.taskId}` });
  }

  @Post(':taskId/subtasks/:subTaskId/retry')
  @HttpCode(202)
  @RequirePermission(COMMAND_PERMISSIONS.retry)
  async retry(@Param('taskId') taskId: string, @Param('subTaskId') subTaskId: string, @Req() request: IncomingMessage, @Caller() caller: Principal) {
    return this.budget.run(bodyBytesOf(request), async () => this.service.retry({ ...(await jsonObjectOf(request)), taskId, subTaskId }, caller));
  }

  @Post(':taskId/subtasks/:subTaskId/skip')
  @HttpCode(202)
  @RequirePermission(COMMAND_PERMISSIONS.skip)
  async skip(@Param('taskId') taskId: string, @Param('subTaskId') subTaskId: string, @Req() request: IncomingMessage, @Caller() caller: Principal) {
    return this.budget.run(bodyBytesOf(request), async () => this.service.skip({ ...(await jsonObjectOf(request)), taskId, subTaskId }, caller));
  }

  @Post(':taskId/cancel')
  @HttpCode(202)
  @RequirePermission(COMMAND_PERMISSIONS.cancel)
  async cancel(@Param('taskId') taskId: string, @Req() request: IncomingMessage, @Caller() caller: Principal) {
    return this.budget.run(bodyBytesOf(request), async () => this.service.cancel({ ...(await jsonObjectOf(request)), taskId }, caller));
  }

  @Post(':taskId/pin')
  @HttpCode(202)
  @RequirePermission(COMMAND_PERMISSIONS.pin)
  async pin(@Param('taskId') taskId: string, @Req() request: IncomingMessage, @Caller() caller: Principal) {
    return this.budget.run(bodyBytesOf(request), async () => this.service.pin({ ...(await jsonObjectOf(request)), taskId }, caller));
  }

  @Post(':taskId/unpin')
  @HttpCode(202)
  @RequirePermission(COMMAND_PERMISSIONS.unpin)
  async unpin(@Param('taskId') taskId: string, @Req() request: IncomingMessage, @Caller() caller: Principal) {
    return this.budget.run(bodyBytesOf(request), async () => this.service.unpin({ ...(await jsonObjectOf(request)), taskId }, caller));
  }
}

/** The body's declared length, or the largest allowed for one of unknown length (chunked). */
function bodyBytesOf(request: IncomingMessage): number {
  const declared = Number(request.headers['content-length']);
  return Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, MAX_MESSAGE_BYTES) : MAX_MESSAGE_BYTES;
}

async function jsonObjectOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(request);
  if (raw.length === 0) return {};
  const parsed = decodeJson(raw);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { body: parsed };
}
