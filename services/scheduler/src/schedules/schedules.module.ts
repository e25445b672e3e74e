import { Inject, Injectable, Logger, Module, type DynamicModule, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { Topology } from '@vle/contracts';
import { isTaskType } from '@vle/domain';
import type { ServiceCredentials } from '@vle/auth';
import { NATS_CONNECTION, SERVICE_CONFIG, SERVICE_CREDENTIALS } from '@vle/service-kit';
import { AcceleratedClock, SystemClock, type Clock } from '../clock/clock.js';
import type { SchedulerConfig } from '../config.js';
import { activeSchedules, periodicSchedules } from './periodic-schedules.js';
import { PeriodicScheduler } from './periodic-scheduler.js';
import { NatsTaskCreator } from '@vle/task-client';
import { NatsRetentionRequester } from './retention-requester.js';

/** Injection token of a factory of the scheduler's Clock, called when the schedules start. */
export const CLOCK_FACTORY = Symbol('SchedulerClockFactory');

/** The wall clock, unless a test asked for a shifted or accelerated one (SCHEDULER_CLOCK_*). */
export function clockOf(config: Pick<SchedulerConfig, 'SCHEDULER_CLOCK_START' | 'SCHEDULER_CLOCK_SPEED'>): Clock {
  if (!config.SCHEDULER_CLOCK_START && config.SCHEDULER_CLOCK_SPEED === 1) return new SystemClock();
  return new AcceleratedClock({ start: config.SCHEDULER_CLOCK_START, speed: config.SCHEDULER_CLOCK_SPEED });
}

/**
 * Starts the periodic schedules once the app is up and stops them first on shutdown (before the
 * kit drains NATS), so no slot is sent on a closing connection.
 */
@Injectable()
class PeriodicSchedulerRuntime implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Schedules');
  private scheduler?: PeriodicScheduler;

  constructor(
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(SERVICE_CONFIG) private readonly config: SchedulerConfig,
    @Inject(CLOCK_FACTORY) private readonly clockFactory: () => Clock,
    @Inject(SERVICE_CREDENTIALS) private readonly credentials: ServiceCredentials,
    private readonly topology: Topology,
  ) {}

  onApplicationBootstrap(): void {
    const { config } = this;
    // Made now rather than at module creation: an accelerated test clock starts with the schedules.
    const clock = this.clockFactory();
    if (config.SCHEDULER_CLOCK_START || config.SCHEDULER_CLOCK_SPEED !== 1) {
      this.logger.warn(`test clock: starts at ${clock.now().toISOString()}, runs ${config.SCHEDULER_CLOCK_SPEED}x real time (SCHEDULER_CLOCK_*, for tests only)`);
    }
    const schedules = activeSchedules(
      periodicSchedules({
        pveNodeSyncSeconds: config.WORKER_PVE_PERIODIC_INTERVAL,
        eventsStartPrepTimeDays: config.EVENTS_START_PREP_TIME_DAYS,
        eventsEndPrepTimeDays: config.EVENTS_END_PREP_TIME_DAYS,
        dailyCatchUpHours: config.SCHEDULER_CATCH_UP_HOURS,
      }),
      { disabled: config.SCHEDULER_DISABLED, knownType: isTaskType, logger: this.logger },
    );
    this.scheduler = new PeriodicScheduler({
      clock,
      schedules,
      tasks: new NatsTaskCreator({ nc: this.nc, topology: this.topology, credentials: this.credentials }),
      retention: new NatsRetentionRequester({ nc: this.nc, topology: this.topology, credentials: this.credentials }),
      logger: this.logger,
      retryDelayMs: config.SCHEDULER_RETRY_SECONDS * 1000,
    });
    this.scheduler.start();
  }

  async onModuleDestroy(): Promise<void> {
    await this.scheduler?.stop();
  }
}

/**
 * The periodic tasks of DESIGN §2 (periodic-schedules.ts), turned into commands through
 * @vle/contracts, and the daily retention request to the projection. Deadlines are the DeadlinesModule's.
 */
@Module({})
export class SchedulesModule {
  static forRoot(clockFactory: () => Clock): DynamicModule {
    return { module: SchedulesModule, providers: [{ provide: CLOCK_FACTORY, useValue: clockFactory }, PeriodicSchedulerRuntime] };
  }
}
