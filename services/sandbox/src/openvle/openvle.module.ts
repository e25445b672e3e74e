import { Module, type OnModuleInit } from '@nestjs/common';
import { ControlModule } from '../control/control.module.js';
import { SimulatorRegistry } from '../control/simulator-registry.js';
import { OpenVleApiController } from './openvle-api.controller.js';
import { OpenVleControlController } from './openvle-control.controller.js';
import { OpenVleDirectory } from './openvle-directory.js';
import { OpenVleOutage } from './openvle-outage.js';

/** The simulated OpenVLE core API (events, participants) under /openvle/api/v1; control under /_sandbox/openvle. */
@Module({
  imports: [ControlModule],
  controllers: [OpenVleApiController, OpenVleControlController],
  providers: [{ provide: OpenVleDirectory, useFactory: () => new OpenVleDirectory() }, OpenVleOutage],
})
export class OpenVleModule implements OnModuleInit {
  constructor(private readonly registry: SimulatorRegistry) {}

  onModuleInit(): void {
    this.registry.register({ name: 'openvle', path: '/openvle' });
  }
}
