import { Module, type DynamicModule } from '@nestjs/common';
import { natsOptionsOf, ServiceKitModule } from '@vle/service-kit';
import type { IntegrationWorkerConfig } from './config.js';
import { JobHandlersModule } from './jobs/job-handlers.module.js';

@Module({})
export class AppModule {
  static forRoot(config: IntegrationWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ service: 'integration-worker', config, nats: natsOptionsOf(config) }), JobHandlersModule],
    };
  }
}
