import { bootstrapService, type ServiceBootstrap } from '@vle/service-kit';
import { loadTaskApiConfig } from './config.js';
import { TaskApiModule } from './task-api.module.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadTaskApiConfig(options.env);
  return bootstrapService(TaskApiModule.forRoot(config), {
    name: 'task-api',
    host: config.HOST,
    port: config.PORT,
    logger: options.logger,
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
    bodyParser: false,
  });
};
