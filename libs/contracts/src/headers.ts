// Header names carried on NATS messages. Nats-Msg-Id is set through the client's `msgID` option.

export const Headers = {
  /** The event type of a TASK_EVENTS message, so that consumers can skip without parsing. */
  eventType: 'Vle-Event-Type',
  /**
   * W3C trace context (README, "Operating it"): on a command (HTTP or NATS), a commit of
   * TASK_EVENTS (the span that appended it) and a job (the span that published it), so that a
   * command's trace follows it across every process and a later command links to the Task's trace.
   */
  traceparent: 'traceparent',
  /** W3C trace state, beside traceparent where the sender has one. */
  tracestate: 'tracestate',
  /** The bearer token of a command (`Bearer <JWT>`), as on HTTP; never copied into a dead letter. */
  authorization: 'Authorization',
  /**
   * On a TASK_EVENTS commit: the queues (comma-separated) whose jobs the commit queued but its
   * appender did not publish, its NATS user not being allowed to; the projection publishes them.
   */
  jobsLeft: 'Vle-Jobs-Left',
  /** Why a message was dead-lettered (also in the DeadLetter body). */
  deadLetterCode: 'Vle-Dead-Letter-Code',
} as const;

/** The dedup id of the job published for a SubTaskQueued event (DESIGN §5). */
export function jobMessageId(subTaskId: string, generation: number): string {
  return `${subTaskId}:${generation}`;
}

/** The dedup id of a Proxmox inventory snapshot: one per sync run and read time. */
export function pveInventoryMessageId(subTaskId: string, syncedAt: string): string {
  return `${subTaskId}:${syncedAt}`;
}
