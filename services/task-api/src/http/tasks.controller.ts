import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { decodeJson } from '@vle/contracts';
import { TaskCommandService } from '../tasks/task-command.service.js';
import { readBody } from './read-body.js';
import { sendJson } from './send-json.js';

/** Commands over HTTP: the body is the contract message (proto JSON) of the command. */
@Controller('api/v1/tasks')
export class TasksController {
  constructor(private readonly service: TaskCommandService) {}

  /** 201 with the new Task's ids; 200 when the idempotency key named an existing Task. */
  @Post()
  async create(@Req() request: IncomingMessage, @Res() response: ServerResponse): Promise<void> {
    const result = await this.service.create(await readBody(request));
    sendJson(response, result.existing ? 200 : 201, result, { location: `/api/v1/tasks/${result.taskId}` });
  }

  @Post(':taskId/subtasks/:subTaskId/retry')
  @HttpCode(202)
  async retry(@Param('taskId') taskId: string, @Param('subTaskId') subTaskId: string, @Req() request: IncomingMessage) {
    const body = await jsonObjectOf(request);
    return this.service.retry({ ...body, taskId, subTaskId });
  }

  @Post(':taskId/subtasks/:subTaskId/skip')
  @HttpCode(202)
  async skip(@Param('taskId') taskId: string, @Param('subTaskId') subTaskId: string, @Req() request: IncomingMessage) {
    const body = await jsonObjectOf(request);
    return this.service.skip({ ...body, taskId, subTaskId });
  }

  @Post(':taskId/cancel')
  @HttpCode(202)
  async cancel(@Param('taskId') taskId: string, @Req() request: IncomingMessage) {
    const body = await jsonObjectOf(request);
    return this.service.cancel({ ...body, taskId });
  }
}

async function jsonObjectOf(request: IncomingMessage): Promise<Record<string, unknown>> {
  const raw = await readBody(request);
  if (raw.length === 0) return {};
  const parsed = decodeJson(raw);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : { body: parsed };
}
