import { Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { SERVICE_CONFIG } from '@vle/service-kit';
import type { SandboxConfig } from '../config.js';
import { ControlModule } from '../control/control.module.js';
import { SimulatorRegistry } from '../control/simulator-registry.js';
import { SmtpControlController } from './smtp-control.controller.js';
import { SmtpSink } from './smtp-sink.js';
import { SmtpSinkServer } from './smtp.server.js';

/** The SMTP sink (DESIGN §12: 127.0.0.1:2525): a real SMTP server, its control API under /_sandbox/smtp. */
@Module({
  imports: [ControlModule],
  controllers: [SmtpControlController],
  providers: [
    { provide: SmtpSink, useFactory: () => new SmtpSink() },
    {
      provide: SmtpSinkServer,
      inject: [SmtpSink, SERVICE_CONFIG],
      useFactory: (sink: SmtpSink, config: SandboxConfig) => new SmtpSinkServer(sink, config.SANDBOX_SMTP_HOST ?? config.HOST, config.SANDBOX_SMTP_PORT),
    },
  ],
  exports: [SmtpSink, SmtpSinkServer],
})
export class SmtpModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    private readonly registry: SimulatorRegistry,
    private readonly server: SmtpSinkServer,
  ) {}

  // Listening before the HTTP server does: once the sandbox answers readiness, mail can be sent.
  async onModuleInit(): Promise<void> {
    await this.server.start();
    this.registry.register({ name: 'smtp', url: () => `smtp://${this.server.host}:${this.server.listeningPort}` });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.server.stop();
  }
}
