import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Task } from '@vle/domain';
import { bigintAsNumber } from './bigint.transformer.js';

/**
 * The folded domain state of one Task without its SubTasks (each one is read back from its sub_tasks row), so that a
 * batch evolves it without replaying the Task (migration SubTaskStates).
 */
@Entity({ name: 'task_states' })
export class TaskStateEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ type: 'jsonb' })
  state!: Omit<Task, 'subtasks'>;

  /** Stream sequence of the last commit folded in: a commit at or below it is already applied. */
  @Column({ name: 'last_seq', type: 'bigint', transformer: bigintAsNumber })
  lastSeq!: number;
}
