import { Controller, Get, Req } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { ServiceInfo } from '@vle/service-kit';
import { SimulatorRegistry, type SimulatorDescriptor } from './simulator-registry.js';

/** The sandbox's own API (DESIGN §12): everything under /_sandbox/, apart from the simulated systems. */
@Controller('_sandbox')
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
