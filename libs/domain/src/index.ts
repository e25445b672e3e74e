export * from './task/events.js';
export * from './task/commands.js';
export * from './task/state.js';
export * from './task/decide.js';
export * from './task/evolve.js';
export * from './task/dag.js';
export * from './task/status.js';
export { subTaskById, subTaskTally, type Tally } from './task/subtask-index.js';
export { PLANNING_WINDOW_MS } from './task/create-task.js';
export { MAX_QUEUED_BYTES_PER_COMMIT } from './task/queueing.js';
export * from './task/redact.js';
export * from './task/rule-violation.js';
export * from './task/deadlines.js';
export { taskDecider } from './task/decider.js';

export * from './plans/task-plan.js';
export * from './plans/task-types.js';
export * from './plans/event-children.js';
export * from './job-failure.js';
