// The commands of vle-tasks as JSON (proto/vle/tasks/v1/commands.proto and the params of each typed
// command in task_types.proto, mail_types.proto, event_types.proto, guacamole_types.proto,
// moodle_types.proto), with what the API requires marked required. The same bodies go over HTTP and
// NATS. commands.unit.spec.ts holds them to the contract's generated types (libs/contracts): a field
// added, renamed or retyped there fails the typecheck until it is here too.

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };
export type JsonObject = { readonly [key: string]: JsonValue };

/** What a Task or a SubTask is about. */
export type ObjectType = 'vm' | 'template' | 'event' | 'mail' | 'connection' | 'course';

/** One step of an explicit DAG; `dependsOn` names other steps of the same Task by `key`. */
export interface SubTaskSpec {
  /** Names the step in its Task: `^[A-Za-z0-9][A-Za-z0-9_.:-]*$`, at most 64 characters. */
  readonly key: string;
  readonly name: string;
  readonly action: string;
  /** A queue of vle-tasks: pve_vm_clone, pve_vm_actions, pve_periodic, mails, guacamole, moodle, core_periodic. */
  readonly queue: string;
  readonly objectType?: ObjectType;
  readonly objectId?: string;
  /** The worker's parameters; keys that look like secrets are redacted before they are stored. */
  readonly params?: JsonObject;
  readonly dependsOn?: readonly string[];
  /** A failed best-effort step does not fail its Task (it ends `warning`). */
  readonly bestEffort?: boolean;
  /** Upper bound of one attempt; 0 or absent takes the queue's default. */
  readonly timeoutSeconds?: number;
}

/** What every creation may say besides its SubTasks or its type. */
export interface CreateTaskCommon {
  /** The user the Task is for: the token's subject by default; another user needs `tasks_act_for_users`. */
  readonly createdBy?: string;
  readonly eventId?: string;
  readonly objectType?: ObjectType;
  readonly objectId?: string;
  /** The same key (per creator) always names the same Task: send it to make a retried creation safe. */
  readonly idempotencyKey?: string;
  readonly originTaskId?: string;
  /** Start no earlier than this (RFC 3339). */
  readonly startAt?: string;
  /** End `timed_out` if no SubTask has started by then (RFC 3339). */
  readonly startBefore?: string;
  /** End `timed_out` this long after the Task began to run (at most 30 days). */
  readonly timeoutSeconds?: number;
}

/** A Task of an explicit DAG of SubTasks. */
export interface CreateDagCommand extends CreateTaskCommon {
  readonly name: string;
  readonly subtasks: readonly SubTaskSpec[];
  readonly type?: undefined;
  readonly params?: undefined;
}

export interface VmCloneParams {
  /** The template (or VM) to clone. */
  readonly templateVmid: number;
  /** Where the template is expected, when /cluster/resources does not say. */
  readonly templateNode?: string;
  readonly count: number;
  /** Name of VM n: `{index}` (from `firstIndex`), `{index:3}` zero-padded, `{event}` the Task's event id. */
  readonly namePattern: string;
  readonly targetNode?: string;
  readonly pool?: string;
  /** A full copy of the disks; linked clones otherwise. */
  readonly full?: boolean;
  readonly storage?: string;
  /** Number of the first VM (default 1). */
  readonly firstIndex?: number;
}
export interface VmListParams {
  readonly vmids: readonly number[];
}
export interface VmMigrateParams extends VmListParams {
  readonly targetNode: string;
  readonly online?: boolean;
}
export type NoParams = Readonly<Record<string, never>>;
export interface BenchPlanParams {
  readonly subtasks: number;
  readonly action?: 'noop' | 'sleep' | 'fail';
}
export interface MailSendParams {
  readonly to: readonly string[];
  readonly cc?: readonly string[];
  readonly subject: string;
  /** The plain-text body. Never a password or a secret link: params are kept in the event log. */
  readonly text: string;
  readonly html?: string;
}
export interface EventParams {
  readonly eventId: number;
}
export interface EventLifecycleParams {
  readonly startPrepDays?: number;
  readonly endPrepDays?: number;
  /** The time the run is for (RFC 3339). */
  readonly at?: string;
}
export interface GuacamoleConnectionSpec {
  readonly username: string;
  readonly fullName?: string;
  readonly connectionName: string;
  readonly protocol: 'rdp' | 'vnc';
  readonly hostname: string;
  readonly port?: number;
  readonly vmid?: number;
  readonly vmUsername?: string;
}
export interface GuacamoleProvisionParams {
  readonly connections: readonly GuacamoleConnectionSpec[];
  /** Last day the users may log in (YYYY-MM-DD). */
  readonly validUntil?: string;
}
export interface GuacamoleConnectionRef {
  readonly username: string;
  readonly connectionName: string;
}
export interface GuacamoleCleanupParams {
  readonly connections: readonly GuacamoleConnectionRef[];
}
export interface MoodleCourseUser {
  readonly username: string;
  readonly firstname: string;
  readonly lastname: string;
  readonly email: string;
}
export interface MoodleDeployCourseParams {
  readonly templateCourseId?: number;
  readonly shortname?: string;
  readonly fullname: string;
  readonly categoryId?: number;
  readonly users?: readonly MoodleCourseUser[];
}
export interface MoodleEnrolParams {
  readonly courseShortname: string;
  readonly users: readonly MoodleCourseUser[];
}

/** The params of each typed command: the domain plans its SubTasks from them. */
export interface TaskTypeParams {
  'vm.clone': VmCloneParams;
  'vm.delete': VmListParams;
  'vm.start': VmListParams;
  'vm.stop': VmListParams;
  'vm.reset': VmListParams;
  'vm.migrate': VmMigrateParams;
  'pve.node_sync': NoParams;
  'guacamole.provision': GuacamoleProvisionParams;
  'guacamole.cleanup': GuacamoleCleanupParams;
  'mail.send': MailSendParams;
  'mail.cleanup': NoParams;
  'moodle.deploy_course': MoodleDeployCourseParams;
  'moodle.enrol': MoodleEnrolParams;
  'event.deploy': EventParams;
  'event.archive': EventParams;
  'event.lifecycle': EventLifecycleParams;
  /** Only where task-api runs with TASK_API_BENCH_QUEUE=true (benchmarks and tests). */
  'bench.fan_out': BenchPlanParams;
  'bench.chain': BenchPlanParams;
}

export type TaskType = keyof TaskTypeParams;

export const TASK_TYPES: readonly TaskType[] = [
  'vm.clone',
  'vm.delete',
  'vm.start',
  'vm.stop',
  'vm.reset',
  'vm.migrate',
  'pve.node_sync',
  'guacamole.provision',
  'guacamole.cleanup',
  'mail.send',
  'mail.cleanup',
  'moodle.deploy_course',
  'moodle.enrol',
  'event.deploy',
  'event.archive',
  'event.lifecycle',
  'bench.fan_out',
  'bench.chain',
];

/** A typed command: the domain plans its SubTasks (`vm.clone` of 30 VMs is 30 SubTasks). */
export type CreateTypedCommand = {
  readonly [T in TaskType]: CreateTaskCommon & {
    readonly type: T;
    readonly params: TaskTypeParams[T];
    /** A name of one's own; the plan names the Task otherwise. */
    readonly name?: string;
    readonly subtasks?: undefined;
  };
}[TaskType];

/** `POST /api/v1/tasks`, `tasks.req.create`: an explicit DAG or a typed command. */
export type CreateTaskCommand = CreateDagCommand | CreateTypedCommand;

/** Who asks: the token's subject by default; another user needs `tasks_act_for_users`. */
export interface RequestedBy {
  readonly requestedBy?: string;
}
export interface Reason extends RequestedBy {
  /** Recorded in the Task's history. */
  readonly reason?: string;
}

/** The commands on an existing Task, as their NATS bodies (HTTP takes the ids in the path). */
export interface RetrySubTaskCommand extends RequestedBy {
  readonly taskId: string;
  readonly subTaskId: string;
}
export interface SkipSubTaskCommand extends Reason {
  readonly taskId: string;
  readonly subTaskId: string;
}
export interface CancelTaskCommand extends Reason {
  readonly taskId: string;
}
export type PinTaskCommand = CancelTaskCommand;
export type UnpinTaskCommand = CancelTaskCommand;

/** The commands by their name in the contract (`tasks.req.<name>`, `COMMAND_HTTP_ROUTES`). */
export interface CommandBodies {
  create: CreateTaskCommand;
  retry: RetrySubTaskCommand;
  skip: SkipSubTaskCommand;
  cancel: CancelTaskCommand;
  pin: PinTaskCommand;
  unpin: UnpinTaskCommand;
}
export type CommandName = keyof CommandBodies;

export const COMMAND_NAMES: readonly CommandName[] = ['create', 'retry', 'skip', 'cancel', 'pin', 'unpin'];
