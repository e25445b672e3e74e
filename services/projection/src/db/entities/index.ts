import { ProjectionCheckpointEntity } from './projection-checkpoint.entity.js';
import { PveGuestEntity } from './pve-guest.entity.js';
import { PveInventorySyncEntity } from './pve-inventory-sync.entity.js';
import { PveNodeEntity } from './pve-node.entity.js';
import { SkippedCommitEntity } from './skipped-commit.entity.js';
import { SubTaskEntity } from './sub-task.entity.js';
import { TaskStateEntity } from './task-state.entity.js';
import { TaskEntity } from './task.entity.js';

export { ProjectionCheckpointEntity, PveGuestEntity, PveInventorySyncEntity, PveNodeEntity, SkippedCommitEntity, SubTaskEntity, TaskEntity, TaskStateEntity };

export const READ_MODEL_ENTITIES = [TaskEntity, SubTaskEntity, TaskStateEntity, ProjectionCheckpointEntity, SkippedCommitEntity, PveNodeEntity, PveGuestEntity, PveInventorySyncEntity];
