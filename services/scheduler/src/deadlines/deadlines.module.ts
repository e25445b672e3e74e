import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology } from '@vle/contracts';
import type { TaskEvent } from '@vle/domain';
import { ensureConsumer, ensureStream, JetStreamEventStore } from '@vle/event-store';
import type { ServiceCredentials } from '@vle/auth';
import { NATS_CONNECTION, SERVICE_CONFIG, SERVICE_CREDENTIALS, TopologyGate, type TopologyWait } from '@vle/service-kit';
import type { SchedulerConfig } from '../config.js';
import { NatsDeadlineCommands } from './deadline-commands.js';
import { DeadlineKeeper } from './deadline-keeper.js';
import { DeadlineRecorder } from './deadline-recorder.js';

/**
 * Creates the streams and consumers the deadlines need (the scheduler may boot before task-api), or
 * with NATS_PROVISION=false waits for task-api to; then records deadlines from the log and sends them
 * when due; stops both before the kit drains NATS.
 */
@Injectable()
class DeadlinesRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Deadlines');
  private recorder?: DeadlineRecorder;
  private keeper?: DeadlineKeeper;
  private wait?: TopologyWait;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: SchedulerConfig,
    @Inject(SERVICE_CREDENTIALS) private readonly credentials: ServiceCredentials,
    private readonly topology: Topology,
    private readonly gate: TopologyGate,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { nc, topology } = this;
    const streams = [topology.eventStream, topology.deadlineStream, topology.deadLetterStream];
    const consumers = [
      { stream: topology.eventStream.name, consumer: topology.deadlineRecorderConsumer },
      { stream: topology.deadlineStream.name, consumer: topology.deadlineConsumer },
    ];
    this.wait = await this.gate.open({
      name: 'deadlines',
      needs: { streams, consumers },
      provision: async () => {
        const jsm = await jetstreamManager(nc);
        await Promise.all(streams.map((stream) => ensureStream(jsm, stream)));
        await Promise.all(consumers.map(({ stream, consumer }) => ensureConsumer(jsm, stream, consumer)));
      },
      start: () => this.start(),
    });
  }

  private async start(): Promise<void> {
    const { nc, topology, logger } = this;
    const jsm = await jetstreamManager(nc);
    const js = jetstream(nc);
    this.recorder = new DeadlineRecorder({ js, store: new JetStreamEventStore<TaskEvent>(js, jsm, topology), topology, logger });
    this.keeper = new DeadlineKeeper({ js, topology, logger, commands: new NatsDeadlineCommands({ nc, topology, credentials: this.credentials }), retryDelayMs: this.config.SCHEDULER_DEADLINE_RETRY_SECONDS * 1000 });
    this.recorder.start();
    this.keeper.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.wait?.close();
    await Promise.all([this.recorder?.stop(), this.keeper?.stop()]);
  }
}

/** The deadlines of Tasks (DESIGN §2): delayed start at `startAt`, `startBefore`, `timeoutSeconds`. */
@Module({ providers: [DeadlinesRuntime] })
export class DeadlinesModule {
  static forRoot(): DynamicModule {
    return { module: DeadlinesModule };
  }
}
