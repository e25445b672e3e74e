import { Module, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { SERVICE_CONFIG } from '@vle/service-kit';
import type { SandboxConfig } from '../config.js';
import { ControlModule } from '../control/control.module.js';
import { SimulatorRegistry } from '../control/simulator-registry.js';
import { systemClock } from './clock.js';
import { Faults } from './faults.js';
import { PveApi } from './pve-api.js';
import { PveCluster } from './pve-cluster.js';
import { PveControlController } from './pve-control.controller.js';
import { PveHttpHandler } from './pve.http.js';

/** Where clients point their Proxmox base URL (they append /api2/json/...). */
export const PVE_PATH = '/pve';

interface ExpressLike {
  use(path: string, handler: (...args: never[]) => void): void;
}

/** The simulated Proxmox VE cluster: the API under /pve/api2/json, its control API under /_sandbox/pve. */
@Module({
  imports: [ControlModule],
  controllers: [PveControlController],
  providers: [
    { provide: PveCluster, useFactory: () => new PveCluster(systemClock) },
    Faults,
    {
      provide: PveApi,
      inject: [PveCluster, Faults, SERVICE_CONFIG],
      useFactory: (cluster: PveCluster, faults: Faults, config: SandboxConfig) =>
        new PveApi(cluster, faults, { tokens: config.SANDBOX_PVE_TOKEN, authFailureDelayMs: config.SANDBOX_PVE_AUTH_DELAY_MS }),
    },
    { provide: PveHttpHandler, inject: [PveApi], useFactory: (api: PveApi) => new PveHttpHandler(api) },
  ],
})
export class ProxmoxModule implements OnModuleInit, OnModuleDestroy {
  constructor(
    private readonly registry: SimulatorRegistry,
    private readonly adapterHost: HttpAdapterHost,
    private readonly handler: PveHttpHandler,
  ) {}

  // onModuleInit runs after Nest's body parsers and routes are registered and before its 404
  // handler, so the catch-all mounted here answers every path below /pve/api2/json.
  onModuleInit(): void {
    this.registry.register({ name: 'proxmox', path: PVE_PATH });
    const app = this.adapterHost.httpAdapter.getInstance<ExpressLike>();
    app.use(`${PVE_PATH}/api2/json`, this.handler.handle as never);
    app.use(`${PVE_PATH}/api2/json`, this.handler.handleParseError as never);
  }

  onModuleDestroy(): void {
    this.handler.close();
  }
}
