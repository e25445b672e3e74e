// The typed commands of POST /api/v1/tasks (`type` + `params`; DESIGN §12) and their plans.

import { RuleViolation } from '../task/rule-violation.js';
import type { PlanContext, Planner, PlanParams, TaskPlan } from './task-plan.js';
import { BENCH_TASK_TYPES, planBenchChain, planBenchFanOut } from './bench.plans.js';
import { planEventArchive, planEventDeploy, planEventLifecycle } from './event.plans.js';
import { planGuacamoleCleanup, planGuacamoleProvision } from './guacamole.plans.js';
import { planMailCleanup, planMailSend } from './mail.plans.js';
import { planMoodleDeployCourse, planMoodleEnrol } from './moodle.plans.js';
import { planPveNodeSync, planVmClone, planVmDelete, planVmMigrate, planVmReset, planVmStart, planVmStop } from './vm.plans.js';

const PLANNERS = {
  'vm.clone': planVmClone,
  'vm.delete': planVmDelete,
  'vm.start': planVmStart,
  'vm.stop': planVmStop,
  'vm.reset': planVmReset,
  'vm.migrate': planVmMigrate,
  'pve.node_sync': planPveNodeSync,
  'guacamole.provision': planGuacamoleProvision,
  'guacamole.cleanup': planGuacamoleCleanup,
  'mail.send': planMailSend,
  'mail.cleanup': planMailCleanup,
  'moodle.deploy_course': planMoodleDeployCourse,
  'moodle.enrol': planMoodleEnrol,
  'event.deploy': planEventDeploy,
  'event.archive': planEventArchive,
  'event.lifecycle': planEventLifecycle,
  'bench.fan_out': planBenchFanOut,
  'bench.chain': planBenchChain,
} as const satisfies Record<string, Planner<PlanParams>>;

export type TaskType = keyof typeof PLANNERS;

export const TASK_TYPES = Object.keys(PLANNERS) as TaskType[];

export function isTaskType(type: string): type is TaskType {
  return Object.hasOwn(PLANNERS, type);
}

/** Types whose SubTasks run on the `bench` queue: known only where it is enabled. */
export function isBenchTaskType(type: string): boolean {
  return (BENCH_TASK_TYPES as readonly string[]).includes(type);
}

/** The plan of a typed command; `params` already match the type's message of task_types.proto. */
export function planTask(type: string, params: PlanParams, context: PlanContext = {}): TaskPlan {
  if (!isTaskType(type)) throw new RuleViolation('UNKNOWN_TASK_TYPE', `type "${type}" has no plan; known types: ${TASK_TYPES.join(', ')} (or give subtasks)`, 'type');
  return PLANNERS[type](params, context);
}
