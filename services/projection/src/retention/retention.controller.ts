// The retention for admins (README, "Retention"): the dry run on any replica, and a run now, which
// this replica forwards to the leader as the NATS request the scheduler sends, with the admin's own
// token, so that it runs where the projector is, between two of its batches.

import { Controller, Get, HttpCode, HttpException, Inject, Post, Query, Req, UseFilters } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { NatsConnection } from '@nats-io/transport-node';
import { headers } from '@nats-io/transport-node';
import type { Principal } from '@vle/auth';
import { decodeJson, Headers, Topology } from '@vle/contracts';
import { Caller, httpRefusal, NATS_CONNECTION, RequirePermission } from '@vle/service-kit';
import { injectTraceContext } from '@vle/tracing';
import { ContractErrorFilter } from '../query/contract-error.filter.js';
import { QueryFailedFilter } from '../query/query-failed.filter.js';
import { Retention, type RetentionPreview, type RetentionRunResult } from './retention.js';
import { checkRetentionCaller, retentionTimeOf } from './retention-request.js';
import { AuthError } from '@vle/auth';

/** How long an admin's run may take before the answer is given up (the run itself goes on). */
const RUN_TIMEOUT_MS = 120_000;

const STATUS_OF: Record<string, number> = { UNAUTHENTICATED: 401, FORBIDDEN: 403, VALIDATION_FAILED: 400, MALFORMED_JSON: 400, NOT_LEADING: 503 };

@Controller('api/v1/retention')
@UseFilters(ContractErrorFilter, QueryFailedFilter)
export class RetentionController {
  constructor(
    private readonly retention: Retention,
    private readonly topology: Topology,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  @Get('preview')
  @RequirePermission('tasks_admin')
  async preview(@Query('at') at: unknown, @Caller() caller: Principal): Promise<RetentionPreview> {
    refuseScoped(caller);
    return this.retention.preview(retentionTimeOf(at, () => new Date()));
  }

  @Post('run')
  @HttpCode(200)
  @RequirePermission('tasks_admin')
  async run(@Query('at') at: unknown, @Req() request: IncomingMessage, @Caller() caller: Principal): Promise<RetentionRunResult> {
    refuseScoped(caller);
    const when = retentionTimeOf(at, () => new Date());
    const h = headers();
    h.set(Headers.authorization, String(request.headers.authorization ?? ''));
    injectTraceContext(h);
    let reply: unknown;
    try {
      reply = decodeJson((await this.nc.request(this.topology.retentionRequestSubject, JSON.stringify({ at: when.toISOString() }), { headers: h, timeout: RUN_TIMEOUT_MS })).data);
    } catch (error) {
      throw new HttpException({ code: 'NO_LEADER', message: `no projection leader answered the retention run (${error instanceof Error ? error.message : String(error)}); ask again`, violations: [] }, 503);
    }
    const refused = (reply as { error?: { code: string } }).error;
    if (refused) throw new HttpException({ violations: [], ...refused }, STATUS_OF[refused.code] ?? 500);
    return reply as RetentionRunResult;
  }
}

function refuseScoped(caller: Principal): void {
  try {
    checkRetentionCaller(caller, ['tasks_admin']);
  } catch (error) {
    if (error instanceof AuthError) throw httpRefusal(error);
    throw error;
  }
}
