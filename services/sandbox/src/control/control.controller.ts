import { Controller, Get, Req } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { PublicRoute, ServiceInfo } from '@vle/service-kit';
import { SimulatorRegistry, type SimulatorDescriptor } from './simulator-registry.js';

/** The sandbox's own API (DESIGN §12): everything under /_sandbox/, apart from the simulated systems. */
// The sandbox's control API, for tests and people at a laptop: not a vle-tasks route, no vle-tasks token.
@Controller('_sandbox')
@PublicRoute()
export class ControlController {
  constructor(
    private readonly service: ServiceInfo,
    private readonly simulators: SimulatorRegistry,
  ) {}

  @Get('info')
  info(@Req() request: IncomingMessage): { service: string; simulators: SimulatorDescriptor[] } {
    return { service: this.service.name, simulators: this.simulators.list(`http://${request.headers.host ?? 'localhost'}`) };
  }
}
