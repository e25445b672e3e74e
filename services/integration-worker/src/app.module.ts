import { Module, type DynamicModule } from '@nestjs/common';
import { natsOptionsOf, ServiceKitModule, WorkerModule } from '@vle/service-kit';
import type { IntegrationWorkerConfig } from './config.js';
import { createHandlers } from './jobs/handlers.js';

@Module({})
export class AppModule {
  static forRoot(config: IntegrationWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'integration-worker', config, nats: natsOptionsOf(config) }),
        WorkerModule.forRoot({
          service: 'integration-worker',
          workerMaxRetry: config.WORKER_MAX_RETRY,
          retryIntervalScale: config.WORKER_RETRY_INTERVAL_SCALE,
          handlers: createHandlers(),
        }),
      ],
    };
  }
}
