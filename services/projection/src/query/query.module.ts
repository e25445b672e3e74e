import type { NatsConnection } from '@nats-io/transport-node';
import { Module } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Topology } from '@vle/contracts';
import type { TaskEvent } from '@vle/domain';
import { JetStreamEventStore } from '@vle/event-store';
import { NATS_CONNECTION } from '@vle/service-kit';
import { QUERY_DB, ReadModelModule } from '../db/read-model.module.js';
import { TaskExportController } from './export/task-export.controller.js';
import { TaskReportController } from './report/task-report.controller.js';
import { StatsController } from './stats/stats.controller.js';
import { StatsQueries } from './stats/stats.queries.js';
import { TaskHistoryController } from './task-history.controller.js';
import { TaskHistoryQueries } from './task-history.queries.js';
import { TaskLog } from './task-log.js';
import { TaskQueries } from './task.queries.js';
import { TasksController } from './tasks.controller.js';

@Module({
  imports: [ReadModelModule],
  // The export first: TasksController's `:id` would take `export.csv`.
  controllers: [TaskExportController, TasksController, TaskHistoryController, TaskReportController, StatsController],
  providers: [
    { provide: TaskQueries, inject: [QUERY_DB], useFactory: (db: DataSource) => new TaskQueries(db) },
    { provide: StatsQueries, inject: [QUERY_DB], useFactory: (db: DataSource) => new StatsQueries(db) },
    { provide: TaskHistoryQueries, inject: [QUERY_DB], useFactory: (db: DataSource) => new TaskHistoryQueries(db) },
    {
      provide: TaskLog,
      inject: [NATS_CONNECTION, Topology],
      // A last commit holding TaskCreated is the whole history: a new Task costs one request.
      useFactory: (nc: NatsConnection, topology: Topology): Promise<TaskLog> => JetStreamEventStore.connect<TaskEvent>(nc, topology, { firstEventType: 'TaskCreated' }),
    },
  ],
})
export class QueryModule {}
