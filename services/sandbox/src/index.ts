import { bootstrapService, loadConfig, type ServiceBootstrap } from '@vle/service-kit';
import { AppModule } from './app.module.js';
import { sandboxConfigSchema } from './config.js';

export { AppModule } from './app.module.js';
export { DEV_OPENVLE_TOKEN, sandboxConfigSchema, type SandboxConfig } from './config.js';
export { SimulatorRegistry, type SimulatorDescriptor } from './control/simulator-registry.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadConfig(sandboxConfigSchema, options.env);
  return bootstrapService(AppModule.forRoot(config), {
    name: 'sandbox',
    host: config.HOST,
    port: config.PORT,
    logger: options.logger,
    logLevel: config.LOG_LEVEL,
    logFormat: config.LOG_FORMAT,
  });
};
