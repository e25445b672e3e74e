import { Module, type DynamicModule } from '@nestjs/common';
import { JetStreamVmidReservations } from '@vle/pve-state';
import { natsOptionsOf, ServiceKitModule } from '@vle/service-kit';
import { WorkerModule } from '@vle/task-runtime';
import { createPveClient } from '@vle/task-runtime/proxmox';
import type { VmCloneWorkerConfig } from './config.js';
import { createHandlers } from './jobs/handlers.js';

@Module({})
export class AppModule {
  static forRoot(config: VmCloneWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'vm-clone-worker', config, nats: natsOptionsOf(config) }),
        WorkerModule.forRoot({
          service: 'vm-clone-worker',
          workerMaxRetry: config.WORKER_MAX_RETRY,
          retryIntervalScale: config.WORKER_RETRY_INTERVAL_SCALE,
          handlers: ({ js, topology }) => createHandlers({ pve: createPveClient(config), pollMs: config.PVE_TASK_POLL_MS, reservations: new JetStreamVmidReservations(js, topology) }),
        }),
      ],
    };
  }
}
