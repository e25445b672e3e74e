// The client's commands are the contract's: the same task types as the domain plans, the same
// fields as the proto JSON of libs/contracts (checked by the typecheck, `npm run typecheck`), and the
// same required params as task-api checks (checked here by asking task-api's own parser).

import {
  COMMAND_HTTP_ROUTES,
  COMMAND_NAMES as CONTRACT_COMMAND_NAMES,
  Headers,
  Topology,
  type BenchPlanParamsJson,
  type CancelTaskJson,
  type CreateTaskJson,
  type EventArchiveParamsJson,
  type EventDeployParamsJson,
  type EventLifecycleParamsJson,
  type GuacamoleCleanupParamsJson,
  type GuacamoleConnectionRefJson,
  type GuacamoleConnectionSpecJson,
  type GuacamoleProvisionParamsJson,
  type MailCleanupParamsJson,
  type MailSendParamsJson,
  type MoodleCourseUserJson,
  type MoodleDeployCourseParamsJson,
  type MoodleEnrolParamsJson,
  type PinTaskJson,
  type PveNodeSyncParamsJson,
  type RetrySubTaskJson,
  type SkipSubTaskJson,
  type SubTaskSpecJson,
  type UnpinTaskJson,
  type VmCloneParamsJson,
  type VmDeleteParamsJson,
  type VmMigrateParamsJson,
  type VmPowerParamsJson,
} from '@vle/contracts';
import { TASK_TYPES as DOMAIN_TASK_TYPES, type TaskType as DomainTaskType } from '@vle/domain';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { parseTaskParams } from '../../../services/task-api/src/tasks/task-type-params.js';
import {
  COMMAND_NAMES,
  TASK_TYPES,
  type CancelTaskCommand,
  type CreateDagCommand,
  type CreateTaskCommand,
  type GuacamoleConnectionRef,
  type GuacamoleConnectionSpec,
  type MoodleCourseUser,
  type PinTaskCommand,
  type RetrySubTaskCommand,
  type SkipSubTaskCommand,
  type SubTaskSpec,
  type TaskType,
  type TaskTypeParams,
  type UnpinTaskCommand,
} from './commands.js';
import { AUTHORIZATION_HEADER, requestSubject } from './nats.js';
import { ROUTES } from './routes.js';

/** As proto3 JSON types a message: every field optional, arrays mutable. */
type Loose<T> = T extends readonly (infer U)[]
  ? Loose<U>[]
  : T extends object
    ? string extends keyof T
      ? { -readonly [K in keyof T]: Loose<T[K]> }
      : { -readonly [K in keyof T]?: Loose<T[K]> }
    : T;
type RequiredKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? never : K }[keyof T];
/** The named fields of T (NoParams is an index signature of never: no field at all). */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
/** A typecheck error at the call when A is not assignable to B. */
type Extends<A, B> = [A] extends [B] ? true : false;
const fits = <_ extends true>() => undefined;
/** Only the fields the client requires: a literal of this type cannot hold an optional one. */
type OnlyRequired<T> = Pick<T, RequiredKeys<T>>;

/** The params message of each task type (services/task-api/src/tasks/task-type-params.ts). */
interface ContractParams {
  'vm.clone': VmCloneParamsJson;
  'vm.delete': VmDeleteParamsJson;
  'vm.start': VmPowerParamsJson;
  'vm.stop': VmPowerParamsJson;
  'vm.reset': VmPowerParamsJson;
  'vm.migrate': VmMigrateParamsJson;
  'pve.node_sync': PveNodeSyncParamsJson;
  'guacamole.provision': GuacamoleProvisionParamsJson;
  'guacamole.cleanup': GuacamoleCleanupParamsJson;
  'mail.send': MailSendParamsJson;
  'mail.cleanup': MailCleanupParamsJson;
  'moodle.deploy_course': MoodleDeployCourseParamsJson;
  'moodle.enrol': MoodleEnrolParamsJson;
  'event.deploy': EventDeployParamsJson;
  'event.archive': EventArchiveParamsJson;
  'event.lifecycle': EventLifecycleParamsJson;
  'bench.fan_out': BenchPlanParamsJson;
  'bench.chain': BenchPlanParamsJson;
}

describe('the commands', () => {
  it('have the fields of the contract, each of a type it takes (the typecheck)', () => {
    expectTypeOf<TaskType>().toEqualTypeOf<DomainTaskType>();
    expectTypeOf<keyof ContractParams>().toEqualTypeOf<DomainTaskType>();
    expectTypeOf<keyof CreateDagCommand>().toEqualTypeOf<keyof CreateTaskJson>();
    fits<Extends<Loose<CreateTaskCommand>, CreateTaskJson>>();
    expectTypeOf<keyof SubTaskSpec>().toEqualTypeOf<keyof SubTaskSpecJson>();
    fits<Extends<Loose<SubTaskSpec>, SubTaskSpecJson>>();
    expectTypeOf<keyof RetrySubTaskCommand>().toEqualTypeOf<keyof RetrySubTaskJson>();
    expectTypeOf<keyof SkipSubTaskCommand>().toEqualTypeOf<keyof SkipSubTaskJson>();
    expectTypeOf<keyof CancelTaskCommand>().toEqualTypeOf<keyof CancelTaskJson>();
    expectTypeOf<keyof PinTaskCommand>().toEqualTypeOf<keyof PinTaskJson>();
    expectTypeOf<keyof UnpinTaskCommand>().toEqualTypeOf<keyof UnpinTaskJson>();
    expectTypeOf<{ [T in TaskType]: KnownKeys<TaskTypeParams[T]> }>().toEqualTypeOf<{ [T in TaskType]: KnownKeys<ContractParams[T]> }>();
    fits<Extends<{ [T in TaskType]: Loose<TaskTypeParams[T]> }, ContractParams>>();
    expectTypeOf<keyof GuacamoleConnectionSpec>().toEqualTypeOf<keyof GuacamoleConnectionSpecJson>();
    expectTypeOf<keyof GuacamoleConnectionRef>().toEqualTypeOf<keyof GuacamoleConnectionRefJson>();
    expectTypeOf<keyof MoodleCourseUser>().toEqualTypeOf<keyof MoodleCourseUserJson>();
  });

  it('know the task types the domain plans, in its order', () => {
    expect(TASK_TYPES).toEqual(DOMAIN_TASK_TYPES);
  });

  it('require exactly the params task-api requires', () => {
    // The least each type takes, by the client's types: no optional field fits in these literals.
    const guacamole: OnlyRequired<GuacamoleConnectionSpec> = { username: 'ada', connectionName: 'ev42-ada', protocol: 'rdp', hostname: 'ev42-ada.lab' };
    const user: OnlyRequired<MoodleCourseUser> = { username: 'ada', firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.org' };
    const least: { [T in TaskType]: OnlyRequired<TaskTypeParams[T]> } = {
      'vm.clone': { templateVmid: 9000, count: 2, namePattern: 'lab-{index}' },
      'vm.delete': { vmids: [101] },
      'vm.start': { vmids: [101] },
      'vm.stop': { vmids: [101] },
      'vm.reset': { vmids: [101] },
      'vm.migrate': { vmids: [101], targetNode: 'pve2' },
      'pve.node_sync': {},
      'guacamole.provision': { connections: [guacamole] },
      'guacamole.cleanup': { connections: [{ username: 'ada', connectionName: 'ev42-ada' } satisfies OnlyRequired<GuacamoleConnectionRef>] },
      'mail.send': { to: ['ada@example.org'], subject: 'Your lab', text: 'Hello' },
      'mail.cleanup': {},
      'moodle.deploy_course': { fullname: 'Lab 42' },
      'moodle.enrol': { courseShortname: 'EV42', users: [user] },
      'event.deploy': { eventId: 42 },
      'event.archive': { eventId: 42 },
      'event.lifecycle': {},
      'bench.fan_out': { subtasks: 3 },
      'bench.chain': { subtasks: 3 },
    };
    const refused = (type: TaskType, params: object): string[] => {
      try {
        parseTaskParams(type, params as never);
        return [];
      } catch (error) {
        return (error as { violations: { field: string }[] }).violations.map((v) => v.field.replace(/^params\./, '')).sort();
      }
    };
    for (const type of TASK_TYPES) {
      expect({ type, least: refused(type, least[type]), required: refused(type, {}) }).toEqual({ type, least: [], required: Object.keys(least[type]).sort() });
    }
  });

  it('go to the subjects, header and routes of the contract', () => {
    expect(COMMAND_NAMES).toEqual(CONTRACT_COMMAND_NAMES);
    expect(AUTHORIZATION_HEADER).toBe(Headers.authorization);
    for (const name of COMMAND_NAMES) {
      expect(requestSubject(name)).toBe(new Topology().requestSubject(name));
      expect(requestSubject(name, 'ns-1')).toBe(new Topology({ namespace: 'ns-1' }).requestSubject(name));
    }
    const commandRoutes = { create: ROUTES.createTask, retry: ROUTES.retrySubTask, skip: ROUTES.skipSubTask, cancel: ROUTES.cancelTask, pin: ROUTES.pinTask, unpin: ROUTES.unpinTask };
    expect(Object.fromEntries(Object.entries(commandRoutes).map(([name, route]) => [name, route.path]))).toEqual(COMMAND_HTTP_ROUTES);
  });
});
