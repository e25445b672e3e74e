import { Column, Entity, Index, OneToMany, PrimaryColumn, type Relation } from 'typeorm';
import { UPDATED_MINUTE } from '../migrations/1767600000000-updated-minute.js';
import { bigintAsNumber } from './bigint.transformer.js';
import { SubTaskEntity } from './sub-task.entity.js';

/** One row per Task: what the folded domain state says (migration InitialReadModel). */
@Entity({ name: 'tasks' })
// Declared for the schema diff only; the migrations create them (DESC, gin/trigram).
@Index('tasks_created_at_idx', { synchronize: false })
@Index('tasks_status_created_at_idx', { synchronize: false })
@Index('tasks_created_by_created_at_idx', { synchronize: false })
@Index('tasks_name_trgm_idx', { synchronize: false })
@Index('tasks_object_idx', { synchronize: false })
@Index('tasks_object_id_idx', { synchronize: false })
@Index('tasks_event_id_idx', { synchronize: false })
@Index('tasks_origin_task_id_idx', { synchronize: false })
@Index('tasks_retention_idx', { synchronize: false })
@Index('tasks_updated_minute_idx', { synchronize: false })
export class TaskEntity {
  @PrimaryColumn({ type: 'uuid' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text', nullable: true })
  type!: string | null;

  @Column({ type: 'text' })
  status!: string;

  /** Why a deadline ended the Task (START_DEADLINE_MISSED, TASK_TIMEOUT); null otherwise (migration TaskStatusReason). */
  @Column({ name: 'status_reason', type: 'text', nullable: true })
  statusReason!: string | null;

  /** Finished SubTasks / all SubTasks, 0..1. */
  @Column({ type: 'double precision' })
  progress!: number;

  @Column({ name: 'created_by', type: 'text' })
  createdBy!: string;

  @Column({ name: 'event_id', type: 'text', nullable: true })
  eventId!: string | null;

  @Column({ name: 'object_type', type: 'text', nullable: true })
  objectType!: string | null;

  @Column({ name: 'object_id', type: 'text', nullable: true })
  objectId!: string | null;

  /** The Task that started this one. */
  @Column({ name: 'origin_task_id', type: 'text', nullable: true })
  originTaskId!: string | null;

  @Column({ name: 'start_at', type: 'timestamptz', nullable: true })
  startAt!: Date | null;

  @Column({ name: 'start_before', type: 'timestamptz', nullable: true })
  startBefore!: Date | null;

  @Column({ name: 'timeout_seconds', type: 'integer', nullable: true })
  timeoutSeconds!: number | null;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  @Column({ name: 'cancel_requested', type: 'boolean' })
  cancelRequested!: boolean;

  @Column({ name: 'manual_intervention', type: 'boolean' })
  manualIntervention!: boolean;

  /** Kept by the retention whatever its age (TaskPinned / TaskUnpinned; migration TaskPinned). */
  @Column({ type: 'boolean', default: false })
  pinned!: boolean;

  @Column({ name: 'subtasks_total', type: 'integer' })
  subtasksTotal!: number;

  @Column({ name: 'subtasks_finished', type: 'integer' })
  subtasksFinished!: number;

  @Column({ name: 'subtasks_failed', type: 'integer' })
  subtasksFailed!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** The minute of updated_at, which PostgreSQL computes (migration UpdatedMinute): the index of updatedSince. */
  @Column({ name: 'updated_minute', type: 'timestamptz', generatedType: 'STORED', asExpression: UPDATED_MINUTE, nullable: true, insert: false, update: false, select: false })
  updatedMinute!: Date | null;

  /** Events folded into this row. */
  @Column({ type: 'integer' })
  version!: number;

  /** Stream sequence of the last commit folded into this row. */
  @Column({ name: 'last_seq', type: 'bigint', transformer: bigintAsNumber })
  lastSeq!: number;

  @OneToMany(() => SubTaskEntity, (subTask) => subTask.task)
  subtasks?: Relation<SubTaskEntity[]>;
}
