import { bootstrapService, httpOptionsOf, loadConfig, type ServiceBootstrap } from '@vle/service-kit';
import { AppModule } from './app.module.js';
import { schedulerConfigSchema } from './config.js';

export { AppModule } from './app.module.js';
export { schedulerConfigSchema, type SchedulerConfig } from './config.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadConfig(schedulerConfigSchema, options.env);
  return bootstrapService(AppModule.forRoot(config), {
    name: 'scheduler',
    ...httpOptionsOf(config),
    logger: options.logger,
  });
};
