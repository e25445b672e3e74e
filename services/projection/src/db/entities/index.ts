import { ProjectionCheckpointEntity } from './projection-checkpoint.entity.js';
import { SkippedCommitEntity } from './skipped-commit.entity.js';
import { SubTaskEntity } from './sub-task.entity.js';
import { TaskStateEntity } from './task-state.entity.js';
import { TaskEntity } from './task.entity.js';

export { ProjectionCheckpointEntity, SkippedCommitEntity, SubTaskEntity, TaskEntity, TaskStateEntity };

export const READ_MODEL_ENTITIES = [TaskEntity, SubTaskEntity, TaskStateEntity, ProjectionCheckpointEntity, SkippedCommitEntity];
