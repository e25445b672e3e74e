// Dead letters for admins (README, "Dead letters"): a page newest first, one by its sequence, and the
// counts by source and code. Dead letters belong to no Task, so a token with an object scope may not
// read them (as the retention routes refuse it): it would see past its scope.

import { Controller, Get, NotFoundException, Param, Query, UseFilters } from '@nestjs/common';
import { AuthError, isScoped, type Principal } from '@vle/auth';
import { Caller, httpRefusal, RequirePermission } from '@vle/service-kit';
import { ContractErrorFilter } from '../query/contract-error.filter.js';
import type { DeadLetterItem } from './dead-letter-item.js';
import { parseDeadLetterQuery, parseDeadLetterSeq } from './dead-letter-query.js';
import { DeadLetterReader, type DeadLetterPage, type DeadLetterSummary } from './dead-letter-reader.js';

@Controller('api/v1/dead-letters')
@UseFilters(ContractErrorFilter)
export class DeadLettersController {
  constructor(private readonly reader: DeadLetterReader) {}

  @Get()
  @RequirePermission('tasks_admin')
  async list(@Query() query: Record<string, unknown>, @Caller() caller: Principal): Promise<DeadLetterPage> {
    refuseScoped(caller);
    return this.reader.list(parseDeadLetterQuery(query));
  }

  // Before `:seq`, which would take `summary`.
  @Get('summary')
  @RequirePermission('tasks_admin')
  async summary(@Caller() caller: Principal): Promise<DeadLetterSummary> {
    refuseScoped(caller);
    return this.reader.summary();
  }

  @Get(':seq')
  @RequirePermission('tasks_admin')
  async get(@Param('seq') raw: string, @Caller() caller: Principal): Promise<DeadLetterItem> {
    refuseScoped(caller);
    const item = await this.reader.get(parseDeadLetterSeq(raw));
    if (!item) throw new NotFoundException({ code: 'DEAD_LETTER_NOT_FOUND', message: `no dead letter #${raw} in DEAD_LETTERS (never written, or discarded by the stream's bounds)`, violations: [] });
    return item;
  }
}

function refuseScoped(caller: Principal): void {
  if (isScoped(caller)) throw httpRefusal(new AuthError('FORBIDDEN', 'dead letters belong to no Task: a token with an object scope (vle_scope) may not read them'));
}
