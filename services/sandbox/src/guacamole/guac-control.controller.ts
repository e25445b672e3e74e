import { Body, Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { PublicRoute } from '@vle/service-kit';
import { validated } from '../control/control-body.js';
import { GUAC_ENDPOINTS } from './guac-api.js';
import { GuacDirectory } from './guac-directory.js';
import { GuacFaults } from './guac-faults.js';
import { GuacSessions } from './guac-sessions.js';
import { guacFaultsSchema, guacOutageSchema } from './guac-control.schema.js';

/** The Guacamole simulator's control API (DESIGN §12): inspect, reset and break it from tests. */
// The sandbox's control API, for tests and people at a laptop: not a vle-tasks route, no vle-tasks token.
@Controller('_sandbox/guacamole')
@PublicRoute()
export class GuacControlController {
  constructor(
    private readonly directory: GuacDirectory,
    private readonly sessions: GuacSessions,
    private readonly faults: GuacFaults,
  ) {}

  @Get('state')
  state() {
    return { ...this.directory.state(), sessions: this.sessions.count(), faults: this.faults.current(), endpoints: GUAC_ENDPOINTS };
  }

  @Get('ledger')
  ledger() {
    return this.directory.ledger();
  }

  @Put('faults')
  setFaults(@Body() body: unknown) {
    this.faults.set(validated(guacFaultsSchema, body));
    return { faults: this.faults.current() };
  }

  @Delete('faults')
  clearFaults() {
    this.faults.set({});
    return { faults: this.faults.current() };
  }

  @Put('outage')
  startOutage(@Body() body: unknown) {
    this.faults.setOutage(validated(guacOutageSchema, body));
    return { faults: this.faults.current() };
  }

  @Delete('outage')
  endOutage() {
    this.faults.setOutage(undefined);
    return { faults: this.faults.current() };
  }

  @Post('expire-tokens')
  @HttpCode(200)
  expireTokens() {
    return { expired: this.sessions.expireAll() };
  }

  @Post('reset')
  @HttpCode(200)
  reset() {
    this.directory.reset();
    this.sessions.expireAll();
    this.faults.clear();
    return this.directory.state();
  }
}

