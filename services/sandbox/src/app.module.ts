import { Module, type DynamicModule } from '@nestjs/common';
import { ServiceKitModule } from '@vle/service-kit';
import type { SandboxConfig } from './config.js';
import { ControlModule } from './control/control.module.js';
import { GuacamoleModule } from './guacamole/guacamole.module.js';
import { OpenVleModule } from './openvle/openvle.module.js';
import { ProxmoxModule } from './proxmox/proxmox.module.js';
import { MoodleModule } from './moodle/moodle.module.js';
import { SmtpModule } from './smtp/smtp.module.js';

@Module({})
export class AppModule {
  static forRoot(config: SandboxConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceKitModule.forRoot({ service: 'sandbox', config }), ControlModule, ProxmoxModule, SmtpModule, OpenVleModule, GuacamoleModule, MoodleModule],
    };
  }
}
