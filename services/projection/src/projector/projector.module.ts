// The projector as a Nest module: started once the app is up, stopped before connections close.

import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Controller, Get, Inject, Injectable, Logger, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Topology } from '@vle/contracts';
import { ensureStream } from '@vle/event-store';
import { publishJob } from '@vle/messaging';
import { context, contextOfCarrier } from '@vle/tracing';
import { NATS_CONNECTION, RequirePermission, SERVICE_CONFIG, TopologyGate, type TopologyWait } from '@vle/service-kit';
import type { ProjectionConfig } from '../config.js';
import { ReadModelModule } from '../db/read-model.module.js';
import { LiveModule } from '../live/live.module.js';
import { LivePublisher } from '../live/live-publisher.js';
import { createJetStreamFeed } from './commit-feed.js';
import { JobRepair } from './job-repair.js';
import { AdvisoryLockLeadership } from './leadership.js';
import { TASKS_PROJECTION } from './projection-name.js';
import { ProjectionRunner, type ProjectionStats } from './projection.runner.js';
import { TaskProjector } from './task.projector.js';

@Injectable()
class ProjectorLifecycle implements OnApplicationBootstrap, OnModuleDestroy {
  private wait?: TopologyWait;

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly gate: TopologyGate,
    private readonly topology: Topology,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // The log must exist before we subscribe to it, whichever service boots first.
    this.wait = await this.gate.open({
      name: 'projector',
      needs: { streams: [this.topology.eventStream], consumers: [] },
      provision: async () => ensureStream(await jetstreamManager(this.nc), this.topology.eventStream),
      start: async () => this.runner.start(),
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.wait?.close();
    await this.runner.stop();
  }
}

/** This replica's counters with the stream's last sequence and the lag (streamSeq - appliedSeq). */
export type ProjectionStatus = ProjectionStats & { streamSeq: number; lag: number };

/** Lag for dashboards and the benchmark: lag = streamSeq - appliedSeq. */
@Controller('api/v1/projection')
export class ProjectionStatusController {
  constructor(private readonly runner: ProjectionRunner) {}

  /** This replica's counters; appliedSeq, streamSeq and lag as stored (shared by all replicas). */
  @Get('status')
  @RequirePermission('tasks_admin')
  async status(): Promise<ProjectionStatus> {
    return { ...this.runner.status(), ...(await this.runner.lag()) };
  }
}

@Module({
  imports: [ReadModelModule, LiveModule],
  controllers: [ProjectionStatusController],
  providers: [
    {
      provide: TaskProjector,
      inject: [DataSource, Topology, SERVICE_CONFIG],
      useFactory: (db: DataSource, topology: Topology, config: ProjectionConfig) =>
        new TaskProjector(db, { name: TASKS_PROJECTION, taskIdOf: (subject) => topology.taskIdOf(subject), stateCacheWeight: config.PROJECTION_STATE_CACHE_WEIGHT }),
    },
    {
      provide: ProjectionRunner,
      inject: [TaskProjector, NATS_CONNECTION, Topology, SERVICE_CONFIG, LivePublisher],
      useFactory: async (projector: TaskProjector, nc: NatsConnection, topology: Topology, config: ProjectionConfig, live: LivePublisher) => {
        const feed = await createJetStreamFeed(nc, topology);
        // One replica projects; the others wait to take over (leadership.ts).
        const leadership = new AdvisoryLockLeadership({ databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, name: TASKS_PROJECTION });
        // The leader publishes again the job of a SubTask left queued without one (job-repair.ts).
        const js = jetstream(nc);
        const publish = (job: Parameters<typeof publishJob>[2], trace: Parameters<typeof contextOfCarrier>[0]) => context.with(contextOfCarrier(trace), () => publishJob(js, topology, job));
        const repair = new JobRepair({ publish, repairAfterMs: config.PROJECTION_JOB_REPAIR_AFTER_MS, logger: new Logger('JobRepair') });
        return new ProjectionRunner(
          projector,
          feed,
          new Logger('Projector'),
          {
            maxSize: config.PROJECTION_BATCH_SIZE,
            maxWaitMs: config.PROJECTION_BATCH_WAIT_MS,
            repair,
            onApplied: (from, applied) => live.published(from, applied),
          },
          leadership,
        );
      },
    },
    ProjectorLifecycle,
  ],
  exports: [ProjectionRunner, TaskProjector],
})
export class ProjectorModule {}

