import { Module } from '@nestjs/common';
import { ControlController } from './control.controller.js';
import { SimulatorRegistry } from './simulator-registry.js';

/** The control API; simulators (one module each, none yet) import it to register themselves. */
@Module({
  controllers: [ControlController],
  providers: [SimulatorRegistry],
  exports: [SimulatorRegistry],
})
export class ControlModule {}
