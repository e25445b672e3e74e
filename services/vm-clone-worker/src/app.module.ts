import { Module, type DynamicModule } from '@nestjs/common';
import { natsOptionsOf, ServiceKitModule } from '@vle/service-kit';
import type { VmCloneWorkerConfig } from './config.js';
import { JobHandlersModule } from './jobs/job-handlers.module.js';

@Module({})
export class AppModule {
  static forRoot(config: VmCloneWorkerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ service: 'vm-clone-worker', config, nats: natsOptionsOf(config) }), JobHandlersModule],
    };
  }
}
