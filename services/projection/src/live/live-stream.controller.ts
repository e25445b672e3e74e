// GET /api/v1/tasks/stream: the live list as server-sent events (README, "Live updates"). It takes
// the list's filters and `q`, applies the token's scope, resumes after Last-Event-ID, sends a
// heartbeat comment, and ends when the token expires.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { Controller, Get, HttpException, Inject, Query, Req, Res, UseFilters } from '@nestjs/common';
import type { Principal } from '@vle/auth';
import { ContractError } from '@vle/contracts';
import { Caller, RequirePermission, SERVICE_CONFIG } from '@vle/service-kit';
import type { ProjectionConfig } from '../config.js';
import { ContractErrorFilter } from '../query/contract-error.filter.js';
import { QueryFailedFilter } from '../query/query-failed.filter.js';
import { parseTaskListQuery } from '../query/task-list.query.js';
import { assertMayFilter } from '../query/tasks.controller.js';
import { visibilityOfCaller } from '../query/visibility.js';
import type { TaskView } from '../query/task.views.js';
import { LiveHub, LiveHubFull, type LiveEvent } from './live-hub.js';

/** Past this much unsent output a client is too slow: it is dropped and reconnects where it was. */
const MAX_BUFFERED_BYTES = 1 << 20;

/** The Last-Event-ID header (an EventSource sends it when it reconnects), or a ContractError. */
export function parseLastEventId(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '') return undefined;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n)) throw new ContractError('VALIDATION_FAILED', 'invalid header: Last-Event-ID: must be an id this stream sent (a non-negative integer)', [{ field: 'Last-Event-ID', message: 'must be a non-negative integer' }]);
  return n;
}

/**
 * A Task's JSON, once per view: the hub reads a changed Task once per message and sends the same view
 * to each client that shows it (hundreds of streams), which would otherwise serialize it once each.
 */
const taskJson = new WeakMap<TaskView, string>();

function jsonOfTask(task: TaskView): string {
  let json = taskJson.get(task);
  if (json === undefined) {
    json = JSON.stringify(task);
    taskJson.set(task, json);
  }
  return json;
}

/** One event in the text/event-stream format; the data is one line of JSON. */
export function formatEvent(event: LiveEvent): string {
  const data = event.kind === 'task' ? jsonOfTask(event.task) : JSON.stringify(event.kind === 'leave' ? { id: event.taskId } : event.kind === 'reset' ? { seq: event.id, reason: event.reason } : { seq: event.id });
  return `id: ${event.id}\nevent: ${event.kind}\ndata: ${data}\n\n`;
}

@Controller('api/v1/tasks')
@UseFilters(ContractErrorFilter, QueryFailedFilter)
export class LiveStreamController {
  constructor(
    private readonly hub: LiveHub,
    @Inject(SERVICE_CONFIG) private readonly config: ProjectionConfig,
  ) {}

  @Get('stream')
  @RequirePermission('tasks_read')
  stream(@Query() query: Record<string, unknown>, @Caller() caller: Principal, @Req() request: IncomingMessage, @Res() response: ServerResponse): void {
    const paging = ['limit', 'cursor'].filter((field) => field in query);
    if (paging.length > 0) {
      throw new ContractError('VALIDATION_FAILED', `invalid query: ${paging[0]}: a live stream has no pages`, paging.map((field) => ({ field, message: 'a live stream has no pages' })));
    }
    const { filter } = parseTaskListQuery(query);
    assertMayFilter(filter, caller);
    const after = parseLastEventId(request.headers['last-event-id']);
    const write = (text: string): boolean => {
      if (response.writableEnded || response.destroyed) return false;
      response.write(text);
      return response.writableLength <= MAX_BUFFERED_BYTES;
    };
    const timers: { heartbeat?: ReturnType<typeof setInterval>; expiry?: ReturnType<typeof setTimeout> } = {};
    const end = (last?: string) => {
      clearInterval(timers.heartbeat);
      clearTimeout(timers.expiry);
      if (last && !response.writableEnded) response.write(last);
      if (!response.writableEnded) response.end();
    };
    let client;
    try {
      client = this.hub.add({
        filter,
        visibility: visibilityOfCaller(caller),
        after,
        send: (event) => write(formatEvent(event)),
        dropped: (reason) => end(`event: closed\ndata: ${JSON.stringify({ reason })}\n\n`),
      });
    } catch (error) {
      if (error instanceof LiveHubFull) throw new HttpException({ code: 'LIVE_STREAMS_FULL', message: error.message, violations: [] }, 503);
      throw error;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // Proxies that buffer responses (nginx) must pass the events on as they come.
      'x-accel-buffering': 'no',
    });
    // How long an EventSource waits before reconnecting after the connection drops.
    response.write('retry: 3000\n\n');
    timers.heartbeat = setInterval(() => {
      if (!write(': heartbeat\n\n')) client.drop('the client reads too slowly');
    }, this.config.PROJECTION_LIVE_HEARTBEAT_MS);
    if (caller.expiresAt !== undefined) {
      // setTimeout holds at most 2^31-1 ms (24.8 days); a token lasting longer ends the stream then, and the client reconnects.
      const ms = Math.min(Math.max(0, caller.expiresAt - Date.now()), 2_147_483_647);
      timers.expiry = setTimeout(() => {
        client.close();
        end(`event: expired\ndata: ${JSON.stringify({ code: 'TOKEN_EXPIRED', message: 'the token expired: reconnect with a new one (Last-Event-ID resumes)' })}\n\n`);
      }, ms);
    }
    request.on('close', () => {
      client.close();
      end();
    });
  }
}
