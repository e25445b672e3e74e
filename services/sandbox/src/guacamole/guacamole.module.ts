import { Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SERVICE_CONFIG } from '@vle/service-kit';
import type { SandboxConfig } from '../config.js';
import { ControlModule } from '../control/control.module.js';
import { SimulatorRegistry } from '../control/simulator-registry.js';
import { GuacApi } from './guac-api.js';
import { GuacControlController } from './guac-control.controller.js';
import { GuacDirectory } from './guac-directory.js';
import { GuacFaults } from './guac-faults.js';
import { GuacSessions } from './guac-sessions.js';
import { GuacHttpHandler } from './guac.http.js';

/** Where clients point their Guacamole base URL (they append /api/...), as Tomcat's context path. */
export const GUACAMOLE_PATH = '/guacamole';

interface ExpressLike {
  use(path: string, handler: (...args: never[]) => void): void;
}

/** The simulated Apache Guacamole (JDBC auth): the REST API under /guacamole/api, its control API under /_sandbox/guacamole. */
@Module({
  imports: [ControlModule],
  controllers: [GuacControlController],
  providers: [
    { provide: GuacDirectory, inject: [SERVICE_CONFIG], useFactory: (config: SandboxConfig) => new GuacDirectory(config.SANDBOX_GUACAMOLE_PASSWORD) },
    { provide: GuacSessions, useFactory: () => new GuacSessions() },
    GuacFaults,
    { provide: GuacApi, inject: [GuacDirectory, GuacSessions, GuacFaults], useFactory: (d: GuacDirectory, s: GuacSessions, f: GuacFaults) => new GuacApi(d, s, f) },
    { provide: GuacHttpHandler, inject: [GuacApi], useFactory: (api: GuacApi) => new GuacHttpHandler(api) },
  ],
})
export class GuacamoleModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly registry: SimulatorRegistry,
    private readonly adapterHost: HttpAdapterHost,
    private readonly handler: GuacHttpHandler,
  ) {}

  // onModuleInit runs after Nest's body parsers and routes are registered and before its 404
  // handler, so the catch-all mounted here answers every path below /guacamole.
  onModuleInit(): void {
    this.registry.register({ name: 'guacamole', path: GUACAMOLE_PATH });
    const app = this.adapterHost.httpAdapter.getInstance<ExpressLike>();
    app.use(GUACAMOLE_PATH, this.handler.handle as never);
    app.use(GUACAMOLE_PATH, this.handler.handleParseError as never);
  }

  onModuleDestroy(): void {
    this.handler.close();
  }
}
