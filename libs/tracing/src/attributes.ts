// The attribute names of the spans of vle-tasks (README, "Operating it"): OpenTelemetry's semantic
// conventions where one applies (messaging, HTTP, errors), `vle.*` for the Task model.

export const Attr = {
  taskId: 'vle.task_id',
  subTaskId: 'vle.subtask_id',
  attempt: 'vle.attempt',
  generation: 'vle.generation',
  queue: 'vle.queue',
  action: 'vle.action',
  /** The command of the API (create, retry, ...) or of the aggregate (RecordAttemptStarted, ...). */
  command: 'vle.command',
  /** How an attempt ended: succeeded, failed, timed_out, interrupted, refused. */
  outcome: 'vle.outcome',
  /** The stream sequence of a commit of TASK_EVENTS. */
  commitSeq: 'vle.commit_seq',
  /** The types of the events of a commit, comma-separated (never their data). */
  eventTypes: 'vle.event_types',
  /** The commands one commit holds (group commit, libs/event-store command-handler.ts). */
  commitCommands: 'vle.commit_commands',
  /** A publish JetStream refused as a duplicate (Nats-Msg-Id within the duplicate window). */
  duplicate: 'vle.duplicate',
  /** proxmox, guacamole, moodle, openvle, smtp, task-api. */
  externalSystem: 'vle.external_system',
  /** The read model a projection batch was applied to. */
  projection: 'vle.projection',
  /** The first and last stream sequence of a projection batch. */
  firstSeq: 'vle.first_seq',
  lastSeq: 'vle.last_seq',

  messagingSystem: 'messaging.system',
  messagingDestination: 'messaging.destination.name',
  messagingOperation: 'messaging.operation.type',
  messagingMessageId: 'messaging.message.id',
  messagingBatchCount: 'messaging.batch.message_count',

  httpMethod: 'http.request.method',
  httpStatus: 'http.response.status_code',
  httpRoute: 'http.route',
  urlPath: 'url.path',
  urlScheme: 'url.scheme',
  serverAddress: 'server.address',
  serverPort: 'server.port',
  errorType: 'error.type',
} as const;

/** The attributes of a span about a NATS message on `subject`. */
export function natsAttributes(subject: string, operation: 'send' | 'receive' | 'process' | 'create'): Record<string, string> {
  return { [Attr.messagingSystem]: 'nats', [Attr.messagingDestination]: subject, [Attr.messagingOperation]: operation };
}
