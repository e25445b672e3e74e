// The simulated OpenVLE core API (a Django REST Framework service): token authentication
// (`Authorization: Token <key>`), DRF's error bodies (`{"detail": ...}`, field errors as lists), list
// responses as `{count, results}`.

import { Controller, Get, Headers, HttpException, Inject, Param, Query } from '@nestjs/common';
import { PublicRoute, SERVICE_CONFIG } from '@vle/service-kit';
import type { SandboxConfig } from '../config.js';
import { OpenVleDirectory, type EventFilter, type OpenVleEvent } from './openvle-directory.js';
import { OpenVleOutage } from './openvle-outage.js';

const FILTERS = ['startsFrom', 'startsTo', 'endsFrom', 'endsTo'] as const;

// The simulated OpenVLE API checks its own token, as the real one does; vle-tasks' guard is not its.
@Controller('openvle/api/v1')
@PublicRoute()
export class OpenVleApiController {
  constructor(
    private readonly directory: OpenVleDirectory,
    private readonly outage: OpenVleOutage,
    @Inject(SERVICE_CONFIG) private readonly config: SandboxConfig,
  ) {}

  @Get('events')
  list(@Headers('authorization') authorization: string | undefined, @Query() query: Record<string, unknown>): { count: number; results: OpenVleEvent[] } {
    this.admit(authorization);
    const filter: Record<string, Date> = {};
    const errors: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(query)) {
      if (!(FILTERS as readonly string[]).includes(key)) continue;
      const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
      if (Number.isNaN(date.getTime())) errors[key] = ['Enter a valid date/time.'];
      else filter[key] = date;
    }
    if (Object.keys(errors).length > 0) throw new HttpException(errors, 400);
    const results = this.directory.list(filter as EventFilter);
    return { count: results.length, results };
  }

  @Get('events/:id')
  get(@Headers('authorization') authorization: string | undefined, @Param('id') id: string): OpenVleEvent {
    this.admit(authorization);
    const event = /^\d+$/.test(id) ? this.directory.get(Number(id)) : undefined;
    if (!event) throw new HttpException({ detail: 'Not found.' }, 404);
    return event;
  }

  private admit(authorization: string | undefined): void {
    this.outage.check();
    if (!authorization) throw new HttpException({ detail: 'Authentication credentials were not provided.' }, 401);
    if (authorization !== `Token ${this.config.SANDBOX_OPENVLE_TOKEN}`) throw new HttpException({ detail: 'Invalid token.' }, 401);
  }
}
