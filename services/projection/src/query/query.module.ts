import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TaskQueries } from './task.queries.js';
import { TasksController } from './tasks.controller.js';
import { ReadModelModule } from '../db/read-model.module.js';

@Module({
  imports: [ReadModelModule],
  controllers: [TasksController],
  providers: [{ provide: TaskQueries, inject: [DataSource], useFactory: (db: DataSource) => new TaskQueries(db) }],
})
export class QueryModule {}
