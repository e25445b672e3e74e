import { bootstrapService, httpOptionsOf, type ServiceBootstrap } from '@vle/service-kit';
import { loadTaskApiConfig } from './config.js';
import { TaskApiModule } from './task-api.module.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadTaskApiConfig(options.env);
  return bootstrapService(TaskApiModule.forRoot(config), {
    name: 'task-api',
    ...httpOptionsOf(config),
    logger: options.logger,
    bodyParser: false,
  });
};
