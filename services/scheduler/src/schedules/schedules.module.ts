import { Module } from '@nestjs/common';

/**
 * Where the scheduler's work goes (DESIGN §2): cron periodic tasks, recurring logics, delayed start
 * (`startAt`), deadlines (`startBefore`, timeouts) and retention cleanup. Each is turned into a
 * command through the contract of @vle/contracts; none is implemented yet.
 */
@Module({})
export class SchedulesModule {}
