import { bootstrapService, loadConfig, type ServiceBootstrap } from '@vle/service-kit';
import { AppModule } from './app.module.js';
import { vmCloneWorkerConfigSchema } from './config.js';

export { AppModule } from './app.module.js';
export { vmCloneWorkerConfigSchema, type VmCloneWorkerConfig } from './config.js';
export { createHandlers } from './jobs/handlers.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadConfig(vmCloneWorkerConfigSchema, options.env);
  return bootstrapService(AppModule.forRoot(config), {
    name: 'vm-clone-worker',
    host: config.HOST,
    port: config.PORT,
    logger: options.logger,
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
  });
};
