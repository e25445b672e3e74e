import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { QUERY_DB, ReadModelModule } from '../db/read-model.module.js';
import { TaskQueries } from './task.queries.js';
import { TasksController } from './tasks.controller.js';

@Module({
  imports: [ReadModelModule],
  controllers: [TasksController],
  providers: [{ provide: TaskQueries, inject: [QUERY_DB], useFactory: (db: DataSource) => new TaskQueries(db) }],
})
export class QueryModule {}
