import { Module, type DynamicModule } from '@nestjs/common';
import { natsOptionsOf, ServiceKitModule } from '@vle/service-kit';
import { WorkerModule } from '@vle/task-runtime';
import { createPveClient } from '@vle/task-runtime/proxmox';
import type { VmActionWorkerConfig } from './config.js';
import { createHandlers } from './jobs/handlers.js';

@Module({})
export class AppModule {
  static forRoot(config: VmActionWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'vm-action-worker', config, nats: natsOptionsOf(config) }),
        WorkerModule.forRoot({
          service: 'vm-action-worker',
          workerMaxRetry: config.WORKER_MAX_RETRY,
          retryIntervalScale: config.WORKER_RETRY_INTERVAL_SCALE,
          handlers: (worker) => createHandlers({ pve: createPveClient(config), pollMs: config.PVE_TASK_POLL_MS }, worker),
        }),
      ],
    };
  }
}
