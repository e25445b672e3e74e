import { Logger } from '@nestjs/common';
import { bootstrapService, httpOptionsOf, loadConfig, type ServiceBootstrap } from '@vle/service-kit';
import { AppModule } from './app.module.js';
import { sandboxConfigSchema } from './config.js';

export { AppModule } from './app.module.js';
export { sandboxConfigSchema, type SandboxConfig } from './config.js';
export { SimulatorRegistry, type SimulatorDescriptor } from './control/simulator-registry.js';

export const bootstrap: ServiceBootstrap = async (options = {}) => {
  const config = loadConfig(sandboxConfigSchema, options.env);
  const service = await bootstrapService(AppModule.forRoot(config), {
    name: 'sandbox',
    ...httpOptionsOf(config),
    logger: options.logger,
  });
  // Allowed (a compose demonstration runs the production image), but never an external system of a
  // production deployment: say so where an operator looks.
  if (config.NODE_ENV === 'production') {
    new Logger('Sandbox').warn('NODE_ENV=production: this is the sandbox, simulated Proxmox VE, Moodle, Guacamole, OpenVLE and SMTP for development and demonstrations; point no production service at it');
  }
  return service;
};
