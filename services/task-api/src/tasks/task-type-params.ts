// The params of a typed CreateTask are checked against their message of task_types.proto before
// the domain plans them, so a bad one is refused with the same codes and field paths as the rest of
// the command (`params.count: must be at least 1`).

import { toJson, type DescMessage, type JsonValue } from '@bufbuild/protobuf';
import { BenchPlanParamsSchema, ContractError, EventArchiveParamsSchema, EventDeployParamsSchema, EventLifecycleParamsSchema, GuacamoleCleanupParamsSchema, GuacamoleProvisionParamsSchema, MailCleanupParamsSchema, MailSendParamsSchema, MoodleDeployCourseParamsSchema, MoodleEnrolParamsSchema, parseMessage, PveNodeSyncParamsSchema, VmCloneParamsSchema, VmDeleteParamsSchema, VmMigrateParamsSchema, VmPowerParamsSchema } from '@vle/contracts';
import type { JsonObject, TaskType } from '@vle/domain';

const PARAMS: Record<TaskType, DescMessage> = {
  'vm.clone': VmCloneParamsSchema,
  'vm.delete': VmDeleteParamsSchema,
  'vm.start': VmPowerParamsSchema,
  'vm.stop': VmPowerParamsSchema,
  'vm.reset': VmPowerParamsSchema,
  'vm.migrate': VmMigrateParamsSchema,
  'pve.node_sync': PveNodeSyncParamsSchema,
  'guacamole.provision': GuacamoleProvisionParamsSchema,
  'guacamole.cleanup': GuacamoleCleanupParamsSchema,
  'mail.send': MailSendParamsSchema,
  'mail.cleanup': MailCleanupParamsSchema,
  'moodle.deploy_course': MoodleDeployCourseParamsSchema,
  'moodle.enrol': MoodleEnrolParamsSchema,
  'event.deploy': EventDeployParamsSchema,
  'event.archive': EventArchiveParamsSchema,
  'event.lifecycle': EventLifecycleParamsSchema,
  'bench.fan_out': BenchPlanParamsSchema,
  'bench.chain': BenchPlanParamsSchema,
};

/** The params as the type's proto JSON (camelCase, defaults left out), or a ContractError naming `params.<field>`. */
export function parseTaskParams(type: TaskType, params: JsonValue | undefined): JsonObject {
  const schema = PARAMS[type];
  try {
    return toJson(schema, parseMessage(schema, params ?? {})) as JsonObject;
  } catch (error) {
    if (!(error instanceof ContractError)) throw error;
    const violations = error.violations.map((v) => ({ field: v.field ? `params.${v.field}` : 'params', message: v.message }));
    const first = violations[0];
    throw new ContractError(error.code, first ? `invalid params of ${type}: ${first.field}: ${first.message}` : error.message.replace(/^invalid \w+/, `invalid params of ${type}`), violations);
  }
}
