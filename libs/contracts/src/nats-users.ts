// The nats-server users of vle-tasks (README, "NATS users"; DESIGN §13): one per service with only the
// subjects and JetStream API calls it makes, one for the other OpenVLE services (commands only), and
// an unrestricted `admin` for operators. Derived from the Topology, so that the server config
// (scripts/nats-users.js writes deploy/nats/users.conf and the Helm values) and the code name the same
// subjects. Allow-lists only, nats-server 2.9 features only.
//
// Limits of subject permissions (JetStream API calls name a stream and a consumer, not a filter or
// a message): a service that appends events may append to any Task's subject, a worker that removes
// an exhausted job may remove any message of JOBS, the vm-clone-worker may purge any VMID
// reservation, the projection (its retention purges a Task's subject) may purge TASK_EVENTS with any
// filter or none, and a reader of the event log may create and delete consumers on TASK_EVENTS (the
// only durable there, the scheduler's deadline recorder, is restored by task-api's provisioning at boot).

import { maxDeliveriesAdvisorySubject, terminatedAdvisorySubject } from './advisories.js';
import { QUEUE_NAMES, queuesOf, type WorkerService } from './queues.js';
import { COMMAND_NAMES, type Topology } from './topology.js';

export const NATS_SERVICE_USERS = ['task-api', 'scheduler', 'projection', 'vm-clone-worker', 'vm-action-worker', 'integration-worker'] as const;
export type NatsServiceUser = (typeof NATS_SERVICE_USERS)[number];
export const NATS_USERS = [...NATS_SERVICE_USERS, 'openvle', 'admin'] as const;
export type NatsUser = (typeof NATS_USERS)[number];

export interface NatsUserPermissions {
  readonly user: NatsUser;
  /** Subjects the user may publish to; undefined: any (admin). */
  readonly publish?: readonly string[];
  /** Subjects the user may subscribe to; undefined: any (admin). */
  readonly subscribe?: readonly string[];
  /** May answer the requests it receives (nats-server `allow_responses`). */
  readonly allowResponses?: boolean;
}

/** The environment variable of the nats-server config that holds a user's password. */
export function natsPasswordVariable(user: NatsUser): string {
  return `NATS_PASSWORD_${user.toUpperCase().replace(/-/g, '_')}`;
}

/** The prefix of a user's reply subjects; only that user may subscribe under it. */
export function natsInboxPrefix(user: string): string {
  return `_INBOX_${user}`;
}

const api = (call: string) => `$JS.API.${call}`;

/** Account info and every stream's info: how a service that does not provision finds the topology ready. */
function topologyLookup(t: Topology): string[] {
  return [api('INFO'), ...t.streams.map((s) => api(`STREAM.INFO.${s.name}`))];
}

/** Reads one durable pull consumer: its info, its pulls, and the acks of its messages. */
function durableReader(stream: string, durable: string): string[] {
  return [api(`CONSUMER.INFO.${stream}.${durable}`), api(`CONSUMER.MSG.NEXT.${stream}.${durable}`), `$JS.ACK.${stream}.${durable}.>`];
}

/**
 * Reads a stream through ordered (ephemeral pull) consumers, deleted when done. Their names are
 * random, so the user may create and delete any consumer of the stream.
 */
function orderedReader(stream: string): string[] {
  return [api(`CONSUMER.CREATE.${stream}`), api(`CONSUMER.CREATE.${stream}.>`), api(`CONSUMER.INFO.${stream}.*`), api(`CONSUMER.MSG.NEXT.${stream}.*`), api(`CONSUMER.DELETE.${stream}.*`)];
}

/** The event store: append, direct gets, long histories through an ordered consumer. */
function eventStore(t: Topology): string[] {
  const stream = t.eventStream.name;
  return [t.allEventsSubject, api(`DIRECT.GET.${stream}`), api(`DIRECT.GET.${stream}.>`), ...orderedReader(stream)];
}

/** ExhaustedDeliveries over one durable: its advisories, and the lookup and removal of the message. */
function exhaustion(stream: string, durable: string): { publish: string[]; subscribe: string[] } {
  return {
    publish: [api(`CONSUMER.INFO.${stream}.${durable}`), api(`STREAM.INFO.${stream}`), api(`STREAM.MSG.GET.${stream}`), api(`STREAM.MSG.DELETE.${stream}`)],
    subscribe: [maxDeliveriesAdvisorySubject(stream, durable), terminatedAdvisorySubject(stream, durable)],
  };
}

function worker(t: Topology, service: WorkerService, extra: readonly string[]): NatsUserPermissions {
  const queues = queuesOf(service);
  const stream = t.jobStream.name;
  const watched = queues.map((queue) => exhaustion(stream, t.jobConsumerName(queue)));
  return {
    user: service,
    publish: unique([
      ...topologyLookup(t),
      ...eventStore(t),
      ...queues.flatMap((queue) => [t.jobSubject(queue), t.deadLetterSubject(`jobs.${queue}`), ...durableReader(stream, t.jobConsumerName(queue))]),
      ...watched.flatMap((w) => w.publish),
      ...extra,
    ]),
    subscribe: [natsInboxPrefix(service) + '.>', ...watched.flatMap((w) => w.subscribe)],
  };
}

/** Every user with its permissions, for the Topology's namespace ('' in production). */
export function natsUserPermissions(t: Topology): NatsUserPermissions[] {
  const streams = t.streams.map((s) => s.name);
  const commandIntake = t.commandConsumer.durable_name!;
  const intakeWatch = exhaustion(t.commandStream.name, commandIntake);
  const sys = t.allSystemRequestsSubject;
  const createRequest = t.requestSubject('create');
  return [
    {
      // The one user that creates and updates streams and consumers (NATS_PROVISION=true); it may not
      // delete or purge a stream.
      user: 'task-api',
      publish: unique([
        api('INFO'),
        ...streams.flatMap((s) => [api(`STREAM.CREATE.${s}`), api(`STREAM.UPDATE.${s}`), api(`STREAM.INFO.${s}`), api(`CONSUMER.*.${s}`), api(`CONSUMER.*.${s}.>`), api(`CONSUMER.DURABLE.CREATE.${s}.>`)]),
        ...eventStore(t),
        ...QUEUE_NAMES.map((queue) => t.jobSubject(queue)),
        t.deadLetterSubject('commands'),
        ...durableReader(t.commandStream.name, commandIntake),
        ...intakeWatch.publish,
      ]),
      subscribe: [natsInboxPrefix('task-api') + '.>', t.allRequestsSubject, sys, ...intakeWatch.subscribe],
      allowResponses: true,
    },
    {
      user: 'scheduler',
      publish: unique([
        ...topologyLookup(t),
        ...eventStore(t).filter((s) => s !== t.allEventsSubject),
        ...durableReader(t.eventStream.name, t.deadlineRecorderConsumer.durable_name!),
        ...durableReader(t.deadlineStream.name, t.deadlineConsumer.durable_name!),
        t.allDeadlinesSubject,
        t.deadLetterSubject('deadlines'),
        sys,
        // Periodic Tasks are created like any command (libs/task-client).
        createRequest,
        // The daily retention run, answered by the projection's leader.
        t.retentionRequestSubject,
      ]),
      subscribe: [natsInboxPrefix('scheduler') + '.>'],
    },
    {
      user: 'projection',
      publish: unique([
        ...topologyLookup(t),
        // The projector's ordered reader, and a Task's history read by the query API (direct gets).
        ...eventStore(t).filter((s) => s !== t.allEventsSubject),
        ...durableReader(t.pveInventoryStream.name, t.pveInventoryConsumer.durable_name!),
        t.deadLetterSubject('inventory.pve'),
        // The job repair and the handover publish jobs of any queue (job-repair.ts).
        ...QUEUE_NAMES.map((queue) => t.jobSubject(queue)),
        // The live stream: the leader's changes and the replicas that listen to them (live/).
        t.liveChangesSubject,
        t.liveListenersSubject,
        // The retention: the purge of a Task's subject, and an admin's run forwarded to the leader.
        api(`STREAM.PURGE.${t.eventStream.name}`),
        t.retentionRequestSubject,
        // The dead letters for admins: one by its sequence and the pages (direct gets), the summary
        // (an ordered consumer of headers only, deleted when done). Read only: no publish, no delete.
        api(`DIRECT.GET.${t.deadLetterStream.name}`),
        ...orderedReader(t.deadLetterStream.name),
      ]),
      subscribe: [natsInboxPrefix('projection') + '.>', t.liveChangesSubject, t.liveListenersSubject, t.retentionRequestSubject],
      allowResponses: true,
    },
    worker(t, 'vm-clone-worker', [
      t.allVmidReservationsSubject,
      api(`STREAM.MSG.GET.${t.vmidReservationStream.name}`),
      api(`STREAM.PURGE.${t.vmidReservationStream.name}`),
    ]),
    worker(t, 'vm-action-worker', [t.pveInventorySubject]),
    // Event jobs create child Tasks (libs/task-client).
    worker(t, 'integration-worker', [createRequest]),
    {
      // Other OpenVLE services: commands only (no tasks.sys.*, no events, no jobs), and their replies.
      user: 'openvle',
      publish: [t.allRequestsSubject, ...COMMAND_NAMES.map((c) => t.commandSubject(c))],
      subscribe: [natsInboxPrefix('openvle') + '.>'],
    },
    { user: 'admin' },
  ];
}

function unique(subjects: readonly string[]): string[] {
  return [...new Set(subjects)];
}
