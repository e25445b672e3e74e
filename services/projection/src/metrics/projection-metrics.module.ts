// What the projection reports when scraped (README, "Operating it"): its lag behind TASK_EVENTS, its
// live-stream clients, the streams of vle-tasks (bytes, messages, limits; DEAD_LETTERS's count is the
// dead letters kept), the JetStream account's storage and limit, and the SubTasks running past their timeout in the read model.

import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Module, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { QUEUE_NAMES, queuePolicies, Topology } from '@vle/contracts';
import { deadLettersStored, liveStreamClients, probeAccount, probeStreams, projectionAppliedSeq, projectionLag, subTasksOverdue } from '@vle/metrics';
import { NATS_CONNECTION } from '@vle/service-kit';
import { QUERY_DB, ReadModelModule } from '../db/read-model.module.js';
import { LiveHub } from '../live/live-hub.js';
import { LiveModule } from '../live/live.module.js';
import { TASKS_PROJECTION } from '../projector/projection-name.js';
import { ProjectionRunner } from '../projector/projection.runner.js';
import { ProjectorModule } from '../projector/projector.module.js';

/**
 * A running SubTask is past its timeout once its attempt ran longer than its own timeout_seconds, or
 * its queue's attempt timeout without one. The job runtime ends such an attempt itself; one still
 * running is a worker that froze or a clock gone wrong. Served by sub_tasks_status_idx.
 */
const OVERDUE_SQL = `SELECT count(*)::int AS overdue FROM sub_tasks
  WHERE status = 'running' AND started_at IS NOT NULL
    AND started_at + make_interval(secs => COALESCE(timeout_seconds, CASE queue ${QUEUE_NAMES.map((q) => `WHEN '${q}' THEN ${queuePolicies()[q].attemptTimeoutMs / 1000}`).join(' ')} END)) < now()`;

@Injectable()
class ProjectionProbes implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly unregister: Array<() => void> = [];

  constructor(
    private readonly runner: ProjectionRunner,
    private readonly hub: LiveHub,
    private readonly topology: Topology,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(QUERY_DB) private readonly db: DataSource,
  ) {}

  onApplicationBootstrap(): void {
    const labels = { projection: TASKS_PROJECTION };
    const lag = () => this.runner.lag();
    const jsm = jetstreamManager(this.nc);
    const streamInfo = async (stream: string) => (await jsm).streams.info(stream);
    this.unregister.push(
      projectionLag.register(labels, async () => (await lag()).lag),
      projectionAppliedSeq.register(labels, async () => (await lag()).appliedSeq),
      liveStreamClients.register({}, () => this.hub.size),
      deadLettersStored.register({}, async () => (await streamInfo(this.topology.deadLetterStream.name)).state.messages),
      probeStreams(
        this.topology.streams.map((s) => s.name),
        streamInfo,
      ),
      probeAccount(async () => (await jsm).getAccountInfo()),
      subTasksOverdue.register({}, async () => ((await this.db.query(OVERDUE_SQL)) as Array<{ overdue: number }>)[0]!.overdue),
    );
  }

  onModuleDestroy(): void {
    for (const unregister of this.unregister.splice(0)) unregister();
  }
}

@Module({
  imports: [ReadModelModule, LiveModule, ProjectorModule],
  providers: [ProjectionProbes],
})
export class ProjectionMetricsModule {}
