import { Module, type DynamicModule } from '@nestjs/common';
import { natsOptionsOf, ServiceKitModule } from '@vle/service-kit';
import type { VmActionWorkerConfig } from './config.js';
import { JobHandlersModule } from './jobs/job-handlers.module.js';

@Module({})
export class AppModule {
  static forRoot(config: VmActionWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ service: 'vm-action-worker', config, nats: natsOptionsOf(config) }), JobHandlersModule],
    };
  }
}
