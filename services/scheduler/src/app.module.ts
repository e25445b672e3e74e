import { Module, type DynamicModule } from '@nestjs/common';
import { SERVICE_IDENTITIES } from '@vle/auth';
import { natsOptionsOf, serviceCredentialsOf, ServiceKitModule } from '@vle/service-kit';
import type { SchedulerConfig } from './config.js';
import { DeadlinesModule } from './deadlines/deadlines.module.js';
import { clockOf, SchedulesModule } from './schedules/schedules.module.js';

@Module({})
export class AppModule {
  static forRoot(config: SchedulerConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ service: 'scheduler', config, nats: natsOptionsOf(config), credentials: serviceCredentialsOf(config, SERVICE_IDENTITIES.scheduler) }), SchedulesModule.forRoot(() => clockOf(config)), DeadlinesModule.forRoot()],
    };
  }
}
