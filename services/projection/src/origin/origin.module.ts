import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { CommandForwardController } from './command-forward.controller.js';
import { CommandForwarder } from './command-forwarder.js';

export interface OriginOptions {
  /** TASK_API_URL */
  readonly taskApiUrl: string;
  /** TASK_API_TIMEOUT_MS */
  readonly taskApiTimeoutMs: number;
  /** TASK_API_MAX_IN_FLIGHT */
  readonly taskApiMaxInFlight: number;
}

/** The projection as the one origin of clients: the command routes forwarded to task-api (command-forwarder.ts). */
@Module({})
export class OriginModule implements OnApplicationShutdown {
  constructor(@Inject(CommandForwarder) private readonly forwarder: CommandForwarder) {}

  onApplicationShutdown(): void {
    this.forwarder.close();
  }

  static forRoot(options: OriginOptions): DynamicModule {
    const logger = new Logger('CommandForwarder');
    const forwarder = new CommandForwarder({
      upstream: new URL(options.taskApiUrl),
      timeoutMs: options.taskApiTimeoutMs,
      maxInFlight: options.taskApiMaxInFlight,
      onFailure: (failure) => logger.warn(`${failure.method} ${failure.path}: ${failure.code} (${failure.reason})`),
    });
    return { module: OriginModule, controllers: [CommandForwardController], providers: [{ provide: CommandForwarder, useValue: forwarder }] };
  }
}
