import { bootstrapService, httpOptionsOf, loadConfig, type ServiceBootstrap } from '@vle/service-kit';
import { AppModule } from './app.module.js';
import { vmActionWorkerConfigSchema } from './config.js';

export { AppModule } from './app.module.js';
export { vmActionWorkerConfigSchema, type VmActionWorkerConfig } from './config.js';
export { createHandlers } from './jobs/handlers.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadConfig(vmActionWorkerConfigSchema, options.env);
  return bootstrapService(AppModule.forRoot(config), {
    name: 'vm-action-worker',
    ...httpOptionsOf(config),
    logger: options.logger,
  });
};
