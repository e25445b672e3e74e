import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import type { JsonObject } from '@vle/domain';
import { bigintAsNumber } from './bigint.transformer.js';
import { TaskEntity } from './task.entity.js';

/** One row per SubTask; `position` keeps the creation order. */
@Entity({ name: 'sub_tasks' })
@Index('sub_tasks_task_position_idx', { synchronize: false })
@Index('sub_tasks_object_id_idx', { synchronize: false })
export class SubTaskEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'integer' })
  position!: number;

  @Column({ type: 'text' })
  key!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  action!: string;

  @Column({ type: 'text' })
  queue!: string;

  @Column({ type: 'text' })
  status!: string;

  /** 1 for the first run, +1 per retry a person asked for; 0 before it is queued. */
  @Column({ type: 'integer' })
  generation!: number;

  /** The attempt of the current generation. */
  @Column({ type: 'integer' })
  attempt!: number;

  @Column({ name: 'failed_attempts', type: 'integer' })
  failedAttempts!: number;

  /** Attempts started over all generations: never goes back. */
  @Column({ type: 'integer' })
  executions!: number;

  @Column({ name: 'job_id', type: 'text', nullable: true })
  jobId!: string | null;

  @Column({ name: 'object_type', type: 'text', nullable: true })
  objectType!: string | null;

  @Column({ name: 'object_id', type: 'text', nullable: true })
  objectId!: string | null;

  /** Redacted by the domain before it reached the log. */
  @Column({ type: 'jsonb' })
  params!: JsonObject;

  /** SubTask ids of the same Task. */
  @Column({ name: 'depends_on', type: 'jsonb' })
  dependsOn!: string[];

  @Column({ name: 'best_effort', type: 'boolean' })
  bestEffort!: boolean;

  @Column({ name: 'timeout_seconds', type: 'integer', nullable: true })
  timeoutSeconds!: number | null;

  @Column({ name: 'response_code', type: 'text', nullable: true })
  responseCode!: string | null;

  @Column({ name: 'response_message', type: 'text', nullable: true })
  responseMessage!: string | null;

  @Column({ name: 'next_attempt_at', type: 'timestamptz', nullable: true })
  nextAttemptAt!: Date | null;

  @Column({ name: 'queued_at', type: 'timestamptz', nullable: true })
  queuedAt!: Date | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  // With the columns above the SubTask as folded, what the projector resumes from (sql.ts
  // subTaskStateOfRow); not shown.
  /** JOBS stream sequence of the job message of this generation. */
  @Column({ name: 'job_seq', type: 'bigint', nullable: true, select: false, transformer: bigintAsNumber })
  jobSeq!: number | null;

  /** The delivery running the current attempt. */
  @Column({ name: 'delivery_id', type: 'text', nullable: true, select: false })
  deliveryId!: string | null;

  /** `<generation>:<attempt>` of the attempt that reserved objectId. */
  @Column({ name: 'reserved_by', type: 'text', nullable: true, select: false })
  reservedBy!: string | null;

  @ManyToOne(() => TaskEntity, (task) => task.subtasks, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id', foreignKeyConstraintName: 'sub_tasks_task_id_fkey' })
  task?: Relation<TaskEntity>;
}
