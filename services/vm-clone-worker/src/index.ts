import { bootstrapService, httpOptionsOf, loadConfig, type ServiceBootstrap } from '@vle/service-kit';
import { AppModule } from './app.module.js';
import { vmCloneWorkerConfigSchema } from './config.js';

export { AppModule } from './app.module.js';
export { vmCloneWorkerConfigSchema, type VmCloneWorkerConfig } from './config.js';
export { createHandlers } from './jobs/handlers.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadConfig(vmCloneWorkerConfigSchema, options.env);
  return bootstrapService(AppModule.forRoot(config), {
    name: 'vm-clone-worker',
    ...httpOptionsOf(config),
    logger: options.logger,
  });
};
