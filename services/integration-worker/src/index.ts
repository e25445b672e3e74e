import { bootstrapService, httpOptionsOf, loadConfig, type ServiceBootstrap } from '@vle/service-kit';
import { AppModule } from './app.module.js';
import { integrationWorkerConfigSchema } from './config.js';

export { AppModule } from './app.module.js';
export { integrationWorkerConfigSchema, type IntegrationWorkerConfig } from './config.js';
export { createHandlers } from './jobs/handlers.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadConfig(integrationWorkerConfigSchema, options.env);
  return bootstrapService(AppModule.forRoot(config), {
    name: 'integration-worker',
    ...httpOptionsOf(config),
    logger: options.logger,
  });
};
