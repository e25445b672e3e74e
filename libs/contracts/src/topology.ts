// Every stream, subject and consumer of vle-tasks (DESIGN §3). No other file spells a subject.
//
// A namespace prefixes every name so that test runs and tenants never share a stream: with the
// default empty namespace the subjects are exactly those of DESIGN.md (`tasks.evt.<taskId>`).

import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream';
import type { ConsumerConfig, StreamConfig } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import { QUEUE_NAMES, type QueueName, type QueuePolicy } from './queues.js';

export type DeclaredStream = Pick<
  StreamConfig,
  'name' | 'subjects' | 'retention' | 'storage' | 'discard' | 'max_age' | 'duplicate_window' | 'max_msg_size' | 'num_replicas' | 'allow_direct' | 'deny_delete' | 'description'
> &
  Partial<Pick<StreamConfig, 'max_msgs_per_subject' | 'max_bytes'>>;

export type DeclaredConsumer = Pick<
  ConsumerConfig,
  'durable_name' | 'filter_subject' | 'ack_policy' | 'ack_wait' | 'max_deliver' | 'max_ack_pending' | 'deliver_policy' | 'description'
>;

export interface TopologyOptions {
  /** Prefix of every stream, subject and consumer name ('' in production, unique per test run). */
  namespace?: string;
  /** Stream replicas: 1 on one host, 3 in a cluster (DESIGN §6). */
  replicas?: number;
  /** ack_wait of the job consumers: how soon a crashed worker's job goes to another (default 30 s). */
  jobAckWaitMs?: number;
  /** Bound of the DEAD_LETTERS stream in bytes (default DEAD_LETTER_MAX_BYTES; tests set a small one). */
  deadLetterMaxBytes?: number;
}

/**
 * DEAD_LETTERS holds at most this much (oldest discarded first): a flood of refused commands cannot
 * fill the JetStream store that the event log needs. Some 250 dead letters of the largest size.
 */
export const DEAD_LETTER_MAX_BYTES = 256 * 1024 * 1024;

/** Largest command or event we accept; NATS' default max_payload is 1 MiB. */
export const MAX_MESSAGE_BYTES = 512 * 1024;

/** Largest commit of the event log: nats-server's default max_payload. */
export const MAX_EVENT_COMMIT_BYTES = 1024 * 1024;

/** Largest Proxmox inventory snapshot: nats-server's default max_payload (some 5000 guests). */
export const MAX_INVENTORY_SNAPSHOT_BYTES = 1024 * 1024;

/** Snapshots kept on the inventory subject: the newest few, for a reader that starts late or to inspect. */
export const INVENTORY_SNAPSHOTS_KEPT = 5;

/** Deliveries of one command on TASK_COMMANDS before it is dead-lettered. */
export const COMMAND_MAX_DELIVER = 40;

/**
 * Deliveries of one inventory snapshot (PostgreSQL down: every second), of one commit to the
 * scheduler's deadline recorder, and of one pending deadline before it is given up and dead-lettered.
 * A pending deadline is re-armed (published afresh) long before: its waits are deliveries too.
 */
export const INVENTORY_MAX_DELIVER = 600;
export const DEADLINE_RECORDER_MAX_DELIVER = 600;
export const DEADLINE_MAX_DELIVER = 100;

/** How long a worker may stay silent before its job is handed to another (crash detection only). */
export const JOB_ACK_WAIT_MS = 30_000;

export class Topology {
  readonly namespace: string;
  private readonly subjectPrefix: string;
  private readonly namePrefix: string;
  private readonly replicas: number;
  private readonly deadLetterMaxBytes: number;
  /** ack_wait of the job consumers; workers heartbeat at a third of it. */
  readonly jobAckWaitMs: number;

  constructor(options: TopologyOptions = {}) {
    const namespace = options.namespace ?? '';
    if (!/^[A-Za-z0-9_-]*$/.test(namespace)) {
      throw new Error(`invalid NATS namespace "${namespace}": use letters, digits, '_' and '-'`);
    }
    this.namespace = namespace;
    this.deadLetterMaxBytes = options.deadLetterMaxBytes ?? DEAD_LETTER_MAX_BYTES;
    this.subjectPrefix = namespace ? `${namespace}.` : '';
    this.namePrefix = namespace ? `${namespace}_` : '';
    this.replicas = options.replicas ?? 1;
    this.jobAckWaitMs = options.jobAckWaitMs ?? JOB_ACK_WAIT_MS;
  }

  // ---- subjects ----------------------------------------------------------------------------

  /** The subject of one Task aggregate in the event log. */
  eventSubject(taskId: string): string {
    return `${this.subjectPrefix}tasks.evt.${taskId}`;
  }

  get allEventsSubject(): string {
    return `${this.subjectPrefix}tasks.evt.>`;
  }

  /** The task id of an event subject (the last token). */
  taskIdOf(eventSubject: string): string {
    return eventSubject.slice(this.eventSubject('').length);
  }

  /** Durable, fire-and-forget intake of a command through TASK_COMMANDS. */
  commandSubject(command: CommandName): string {
    return `${this.subjectPrefix}tasks.cmd.${command}`;
  }

  get allCommandsSubject(): string {
    return `${this.subjectPrefix}tasks.cmd.>`;
  }

  /** Request/reply form of a command: answered with the result or an ErrorReply (core NATS). */
  requestSubject(command: CommandName): string {
    return `${this.subjectPrefix}tasks.req.${command}`;
  }

  get allRequestsSubject(): string {
    return `${this.subjectPrefix}tasks.req.*`;
  }

  /**
   * The retention run, a request the projection's leader answers with what it deleted (the
   * scheduler's daily slot, an admin's POST /api/v1/retention/run). Core NATS: a run is idempotent.
   */
  get retentionRequestSubject(): string {
    return `${this.subjectPrefix}projection.req.retention`;
  }

  jobSubject(queue: QueueName): string {
    return `${this.subjectPrefix}jobs.${queue}`;
  }

  /**
   * What the projection's leader changed in the read model, batch by batch (core NATS, no stream):
   * the replicas serving live streams read it while they have clients (services/projection/src/live).
   */
  get liveChangesSubject(): string {
    return `${this.subjectPrefix}projection.live.changes`;
  }

  /** Where a replica with live-stream clients says so, so that the leader publishes its changes. */
  get liveListenersSubject(): string {
    return `${this.subjectPrefix}projection.live.listening`;
  }

  /**
   * The Proxmox inventory (node info sync result): a snapshot of the cluster every minute or so, kept
   * apart from TASK_EVENTS, which it would grow by the whole inventory each time.
   */
  get pveInventorySubject(): string {
    return `${this.subjectPrefix}inventory.pve.snapshot`;
  }

  /**
   * The reservation of one Proxmox VMID by the clone SubTask that holds it (vm-clone-worker), written
   * create-if-absent (expected last subject sequence 0).
   */
  vmidReservationSubject(vmid: number): string {
    return `${this.subjectPrefix}pve.vmid.${vmid}`;
  }

  get allVmidReservationsSubject(): string {
    return `${this.subjectPrefix}pve.vmid.*`;
  }

  /**
   * Where a message that could not be handled goes, with its reason: `dlq.commands`,
   * `dlq.jobs.<queue>`, `dlq.inventory.pve`.
   */
  deadLetterSubject(source: DeadLetterSource): string {
    return `${this.subjectPrefix}dlq.${source}`;
  }

  // ---- streams -----------------------------------------------------------------------------

  get eventStream(): DeclaredStream {
    return {
      name: `${this.namePrefix}TASK_EVENTS`,
      description: 'vle-tasks event log: one subject per Task aggregate',
      subjects: [this.allEventsSubject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 0,
      duplicate_window: nanos(2 * 60_000),
      // A commit holds a whole creation (a command of up to MAX_MESSAGE_BYTES plus its queueing).
      max_msg_size: MAX_EVENT_COMMIT_BYTES,
      num_replicas: this.replicas,
      allow_direct: true,
      // Append-only: single events are never deleted (retention purges whole Tasks).
      deny_delete: true,
    };
  }

  get commandStream(): DeclaredStream {
    return {
      name: `${this.namePrefix}TASK_COMMANDS`,
      description: 'vle-tasks durable command intake',
      subjects: [this.allCommandsSubject],
      // A work queue without max_msgs/max_age: nothing unreceived is ever dropped.
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 0,
      duplicate_window: nanos(2 * 60_000),
      max_msg_size: MAX_MESSAGE_BYTES,
      num_replicas: this.replicas,
      allow_direct: false,
      deny_delete: false,
    };
  }

  get jobStream(): DeclaredStream {
    return {
      name: `${this.namePrefix}JOBS`,
      description: 'vle-tasks jobs, one subject per queue',
      subjects: QUEUE_NAMES.map((queue) => this.jobSubject(queue)),
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 0,
      // Job ids are `<subTaskId>:<generation>`: a dispatcher that republishes after a crash within
      // this window is absorbed here; later repeats are absorbed by the attempt fence of the domain.
      duplicate_window: nanos(10 * 60_000),
      max_msg_size: MAX_MESSAGE_BYTES,
      num_replicas: this.replicas,
      allow_direct: false,
      deny_delete: false,
    };
  }

  get deadLetterStream(): DeclaredStream {
    return {
      name: `${this.namePrefix}DEAD_LETTERS`,
      description: 'vle-tasks messages that could not be handled, with their reason',
      subjects: [`${this.subjectPrefix}dlq.>`],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(30 * 24 * 3600_000),
      max_bytes: this.deadLetterMaxBytes,
      duplicate_window: nanos(2 * 60_000),
      // A dead letter carries the original payload (at most MAX_MESSAGE_BYTES) plus its reason.
      max_msg_size: 2 * MAX_MESSAGE_BYTES,
      num_replicas: this.replicas,
      allow_direct: true,
      deny_delete: false,
    };
  }

  /** Snapshots of the Proxmox inventory: only the newest few are kept, the projection keeps the newest. */
  get pveInventoryStream(): DeclaredStream {
    return {
      name: `${this.namePrefix}PVE_INVENTORY`,
      description: 'vle-tasks Proxmox inventory snapshots (node info sync); only the newest are kept',
      subjects: [this.pveInventorySubject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 0,
      max_msgs_per_subject: INVENTORY_SNAPSHOTS_KEPT,
      // Snapshot ids are `<subTaskId>:<syncedAt>`: a worker that publishes again after a lost ack is absorbed.
      duplicate_window: nanos(2 * 60_000),
      max_msg_size: MAX_INVENTORY_SNAPSHOT_BYTES,
      num_replicas: this.replicas,
      allow_direct: true,
      deny_delete: false,
    };
  }

  /**
   * Which clone SubTask holds which VMID while it clones (/cluster/nextid reserves nothing). One
   * record per VMID subject; a reservation lives until its clone is done or abandoned.
   */
  get vmidReservationStream(): DeclaredStream {
    return {
      name: `${this.namePrefix}PVE_VMID_RESERVATIONS`,
      description: 'vle-tasks Proxmox VMIDs reserved by clone SubTasks, one subject per VMID',
      subjects: [this.allVmidReservationsSubject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 0,
      max_msgs_per_subject: 1,
      duplicate_window: nanos(2 * 60_000),
      max_msg_size: 4096,
      num_replicas: this.replicas,
      allow_direct: true,
      deny_delete: false,
    };
  }

  get streams(): DeclaredStream[] {
    return [this.eventStream, this.commandStream, this.jobStream, this.deadLetterStream, this.pveInventoryStream, this.vmidReservationStream, this.deadlineStream];
  }

  // ---- consumers ---------------------------------------------------------------------------

  /**
   * Durable consumers of earlier releases that nothing reads any more; provisioning deletes them. The
   * dispatcher (task-api) read every commit to publish jobs again; the projection's job repair does it
   * now, from the commits it reads anyway.
   */
  get retiredConsumers(): ReadonlyArray<{ readonly stream: string; readonly durable: string }> {
    return [{ stream: this.eventStream.name, durable: `${this.namePrefix}dispatcher` }];
  }

  /** task-api's intake of commands published to TASK_COMMANDS. */
  get commandConsumer(): DeclaredConsumer {
    return {
      durable_name: `${this.namePrefix}command-intake`,
      description: 'handles commands published without a reply',
      filter_subject: this.allCommandsSubject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      // Finite, so that a command that cannot be handled ends in dlq.commands with its reason instead
      // of looping; with the intake's growing nak delay (1 s doubling to 30 s) that is some 17 minutes.
      max_deliver: COMMAND_MAX_DELIVER,
      max_ack_pending: 1000,
      deliver_policy: DeliverPolicy.All,
    };
  }

  /**
   * The projection's reader of the Proxmox inventory. One snapshot in flight across all replicas, so
   * they are applied in stream order; a new consumer starts at the newest snapshot (older ones are
   * superseded anyway). The reader also ignores a snapshot older than the one it applied.
   */
  get pveInventoryConsumer(): DeclaredConsumer {
    return {
      durable_name: `${this.namePrefix}projection-pve-inventory`,
      description: 'projects Proxmox inventory snapshots into the read model',
      filter_subject: this.pveInventorySubject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(30_000),
      // A snapshot PostgreSQL cannot take for 10 minutes is superseded by newer ones anyway.
      max_deliver: INVENTORY_MAX_DELIVER,
      max_ack_pending: 1,
      deliver_policy: DeliverPolicy.LastPerSubject,
    };
  }

  /** The durable name of a queue's consumer. */
  jobConsumerName(queue: QueueName): string {
    return `${this.namePrefix}job-${queue}`;
  }

  /**
   * One durable pull consumer per queue. Retry delays come from nak(delay), not `backoff` (which is
   * not applied to nak and would replace ack_wait); ack_wait with working() heartbeats only detects
   * crashed workers. max_deliver is the attempts plus one, so that a worker that crashes in the last
   * attempt leaves a delivery in which the runtime records the failure.
   *
   * max_ack_pending is unlimited: a job waiting out its nak delay counts as pending, so any limit lets
   * enough retrying jobs (greylisted mails) stall every fresh one behind them, and caps the replicas
   * that get work. How many jobs run at once is each worker's own fetch (its queue's concurrency).
   */
  jobConsumer(policy: QueuePolicy): DeclaredConsumer {
    return {
      durable_name: this.jobConsumerName(policy.queue),
      description: `worker of queue ${policy.queue}`,
      filter_subject: this.jobSubject(policy.queue),
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.jobAckWaitMs),
      max_deliver: policy.maxRetries + 2,
      max_ack_pending: -1,
      deliver_policy: DeliverPolicy.All,
    };
  }

  // ---- deadlines (the scheduler) ---------------------------------------------------------

  /**
   * Internal commands of a Task's deadlines, request/reply on core NATS: only the scheduler sends
   * them (no HTTP route, no durable intake); NATS permissions keep clients off `tasks.sys.>`.
   */
  systemRequestSubject(command: SystemCommandName): string {
    return `${this.subjectPrefix}tasks.sys.${command}`;
  }

  get allSystemRequestsSubject(): string {
    return `${this.subjectPrefix}tasks.sys.*`;
  }

  /** A pending deadline of one Task (the scheduler's timers, kept by JetStream). */
  deadlineSubject(taskId: string): string {
    return `${this.subjectPrefix}tasks.due.${taskId}`;
  }

  get allDeadlinesSubject(): string {
    return `${this.subjectPrefix}tasks.due.>`;
  }

  /**
   * The scheduler's pending deadlines: a work queue whose consumer holds each one with nak(delay)
   * until it is due, so the timers live in JetStream (nothing to rebuild at a restart, nothing
   * held in a scheduler's memory) and an acked deadline is removed.
   */
  get deadlineStream(): DeclaredStream {
    return {
      name: `${this.namePrefix}TASK_DEADLINES`,
      description: 'vle-tasks pending deadlines of Tasks (startAt, startBefore, timeout)',
      subjects: [this.allDeadlinesSubject],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: 0,
      duplicate_window: nanos(2 * 60_000),
      max_msg_size: 4096,
      num_replicas: this.replicas,
      allow_direct: false,
      deny_delete: false,
    };
  }

  /** The scheduler's reader of the event log: records the deadlines of created and started Tasks. */
  get deadlineRecorderConsumer(): DeclaredConsumer {
    return {
      durable_name: `${this.namePrefix}scheduler-deadline-recorder`,
      description: 'records the deadlines of Tasks from TaskCreated and TaskStarted',
      filter_subject: this.allEventsSubject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(10_000),
      max_deliver: DEADLINE_RECORDER_MAX_DELIVER,
      max_ack_pending: 1000,
      // From the start: Tasks scheduled before the first scheduler with deadlines ran are kept too.
      deliver_policy: DeliverPolicy.All,
    };
  }

  /**
   * The scheduler's timers: every pending deadline stays unacknowledged (nak with a delay) until it
   * is due, so max_ack_pending is unlimited. Each wait is a delivery: the keeper re-arms a deadline
   * (publishes it afresh, acks the old) well before max_deliver, which then bounds only failures.
   */
  get deadlineConsumer(): DeclaredConsumer {
    return {
      durable_name: `${this.namePrefix}scheduler-deadlines`,
      description: 'sends the command of each deadline when it is due',
      filter_subject: this.allDeadlinesSubject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(10_000),
      max_deliver: DEADLINE_MAX_DELIVER,
      max_ack_pending: -1,
      deliver_policy: DeliverPolicy.All,
    };
  }
}

/** The sources of dead letters, each with a subject `dlq.<source>`. */
export type DeadLetterSource = 'commands' | `jobs.${QueueName}` | 'inventory.pve' | 'deadlines';

/** The deadline commands, `tasks.sys.<name>`: start at startAt, expire at startBefore, time out. */
export const SYSTEM_COMMAND_NAMES = ['start', 'expire-start', 'time-out'] as const;
export type SystemCommandName = (typeof SYSTEM_COMMAND_NAMES)[number];

export const COMMAND_NAMES = ['create', 'retry', 'skip', 'cancel', 'pin', 'unpin'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
