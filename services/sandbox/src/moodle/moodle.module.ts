import { Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SERVICE_CONFIG } from '@vle/service-kit';
import { ControlModule } from '../control/control.module.js';
import { SimulatorRegistry } from '../control/simulator-registry.js';
import { MoodleApi } from './moodle-api.js';
import type { MoodleSandboxConfig } from './moodle-config.js';
import { MoodleControlController } from './moodle-control.controller.js';
import { MoodleFaults } from './moodle-faults.js';
import { MoodleSite } from './moodle-site.js';
import { MOODLE_API, MOODLE_DEFAULTS, type MoodleDefaults } from './moodle.tokens.js';
import { MoodleHttpHandler } from './moodle.http.js';

/** Where clients point their Moodle base URL (they append /webservice/rest/server.php). */
export const MOODLE_PATH = '/moodle';

interface ExpressLike {
  use(path: string, handler: (...args: never[]) => void): void;
}

/** The simulated Moodle site: REST web services at /moodle/webservice/rest/server.php, control API under /_sandbox/moodle. */
@Module({
  imports: [ControlModule],
  controllers: [MoodleControlController],
  providers: [
    { provide: MoodleSite, useFactory: () => new MoodleSite() },
    { provide: MoodleFaults, useFactory: () => new MoodleFaults() },
    {
      provide: MOODLE_DEFAULTS,
      inject: [SERVICE_CONFIG],
      useFactory: (config: MoodleSandboxConfig): MoodleDefaults => ({ duplicateCourseMs: config.SANDBOX_MOODLE_DUPLICATE_MS, debug: config.SANDBOX_MOODLE_DEBUG === 1 }),
    },
    {
      provide: MOODLE_API,
      inject: [MoodleSite, MoodleFaults, SERVICE_CONFIG, MOODLE_DEFAULTS],
      useFactory: (site: MoodleSite, faults: MoodleFaults, config: MoodleSandboxConfig, defaults: MoodleDefaults) => new MoodleApi(site, faults, config.SANDBOX_MOODLE_TOKEN, { ...defaults }),
    },
    { provide: MoodleHttpHandler, inject: [MOODLE_API], useFactory: (api: MoodleApi) => new MoodleHttpHandler(api) },
  ],
})
export class MoodleModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly registry: SimulatorRegistry,
    private readonly adapterHost: HttpAdapterHost,
    private readonly handler: MoodleHttpHandler,
  ) {}

  // After Nest's body parsers and routes, before its 404 handler (as the Proxmox simulator).
  onModuleInit(): void {
    this.registry.register({ name: 'moodle', path: MOODLE_PATH });
    const app = this.adapterHost.httpAdapter.getInstance<ExpressLike>();
    app.use(`${MOODLE_PATH}/webservice/rest/server.php`, this.handler.handle as never);
  }

  onModuleDestroy(): void {
    this.handler.close();
  }
}
