import { Module, type DynamicModule } from '@nestjs/common';
import { NatsTaskCreator } from '@vle/task-client';
import { SERVICE_IDENTITIES } from '@vle/auth';
import { natsOptionsOf, serviceCredentialsOf, ServiceKitModule } from '@vle/service-kit';
import { WorkerModule } from '@vle/task-runtime';
import type { IntegrationWorkerConfig } from './config.js';
import { createOpenVleClient } from './jobs/events/events.config.js';
import { createHandlers } from './jobs/handlers.js';
import { createMoodleJobDeps } from './jobs/moodle/moodle.config.js';
import { createGuacamoleJobDeps } from './jobs/guacamole/guacamole.config.js';
import { createMailRuntime, MailModule } from './mail/mail.module.js';

@Module({})
export class AppModule {
  static forRoot(config: IntegrationWorkerConfig): DynamicModule {
    const mail = createMailRuntime(config);
    const moodle = createMoodleJobDeps(config);
    const guacamole = createGuacamoleJobDeps(config);
    const openvle = createOpenVleClient(config);
    // The lab-event jobs create child Tasks under the worker's own identity.
    const credentials = serviceCredentialsOf(config, SERVICE_IDENTITIES['integration-worker']);
    const labAccess = { credentialsKey: config.LAB_CREDENTIALS_KEY, guacamoleUrl: config.GUACAMOLE_PUBLIC_URL ?? config.GUACAMOLE_URL };
    return {
      module: AppModule,
      imports: [
        ServiceKitModule.forRoot({ service: 'integration-worker', config, nats: natsOptionsOf(config), credentials }),
        MailModule.forRoot(mail),
        WorkerModule.forRoot({
          service: 'integration-worker',
          workerMaxRetry: config.WORKER_MAX_RETRY,
          retryIntervalScale: config.WORKER_RETRY_INTERVAL_SCALE,
          handlers: (worker) =>
            createHandlers({
              mail: mail.deps,
              labAccess,
              moodle,
              guacamole,
              events: { openvle, tasks: new NatsTaskCreator({ nc: worker.nc, topology: worker.topology, credentials }), vmDomain: config.LAB_VM_DOMAIN, now: () => new Date() },
              benchQueue: config.TASK_API_BENCH_QUEUE,
            }),
        }),
      ],
    };
  }
}
