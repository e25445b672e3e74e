// Publishing the job of a SubTaskQueued fact (DESIGN §5). Two paths publish the same job with the same
// Nats-Msg-Id `<subTaskId>:<generation>`, so JOBS stores it once:
//  - inline: the process that appended the commit publishes its jobs right after the append, which
//    takes a hop off every DAG level's latency;
//  - the repair (the projection's leader, services/projection job-repair.ts): a SubTask that stays
//    queued without starting has its job published again, for a process that died between its append
//    and its publish, or whose publish failed.
// A job is only ever published for a SubTaskQueued already in TASK_EVENTS.

import type { JetStreamClient, PubAck } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, jobMessageId, type JobJson, type QueueName, type Topology } from '@vle/contracts';
import type { SubTaskQueued, TaskEvent } from '@vle/domain';
import { Attr, inSpan, injectTraceContext, natsAttributes, SpanKind } from '@vle/tracing';
import type { Logger } from './task-commands.js';

/**
 * A job message: it names the SubTask and its generation; workers run what the log holds for it, so it
 * carries no params (the action is there for people reading the queue).
 */
export type QueuedJob = Required<Pick<JobJson, 'taskId' | 'subTaskId' | 'generation' | 'queue' | 'action'>>;

/**
 * Publishes one job; resolves once JOBS stored it, or found it a duplicate (`PubAck.duplicate`). In a
 * `dispatch` span, child of the active one (the commit's: its append span, or the trace context the
 * projection read with it), whose trace context the job carries to its attempts.
 */
export function publishJob(js: JetStreamClient, topology: Topology, job: QueuedJob): Promise<PubAck> {
  const subject = topology.jobSubject(job.queue as QueueName);
  const msgID = jobMessageId(job.subTaskId, job.generation);
  const attributes = {
    ...natsAttributes(subject, 'send'),
    [Attr.messagingMessageId]: msgID,
    [Attr.taskId]: job.taskId,
    [Attr.subTaskId]: job.subTaskId,
    [Attr.generation]: job.generation,
    [Attr.queue]: job.queue,
    [Attr.action]: job.action,
  };
  return inSpan({ name: `dispatch ${subject}`, kind: SpanKind.PRODUCER, attributes }, async (span) => {
    const h = natsHeaders();
    h.set(Headers.eventType, 'Job');
    injectTraceContext(h);
    const ack = await js.publish(subject, JSON.stringify(job), { msgID, headers: h });
    // Already in JOBS (the inline publish and the repair's): its attempts follow the first copy's trace.
    span.setAttribute(Attr.duplicate, ack.duplicate);
    return ack;
  });
}

/** The job of a SubTaskQueued that names its queue and action (every one written since they do). */
export function jobOf(event: SubTaskQueued): QueuedJob | undefined {
  const { subTaskId, generation, queue, action } = event.data;
  return queue && action ? { taskId: event.taskId, subTaskId, generation, queue, action } : undefined;
}

/** The jobs of the SubTaskQueued events among `events`. */
function jobsOf(events: readonly TaskEvent[]): QueuedJob[] {
  const jobs: QueuedJob[] = [];
  for (const event of events) {
    if (event.type !== 'SubTaskQueued') continue;
    const job = jobOf(event);
    // A SubTaskQueued without its queue (written before they carried it): the repair reads it from the read model.
    if (job) jobs.push(job);
  }
  return jobs;
}

/**
 * The inline path: publishes the jobs of a commit this process just appended, on the queues its NATS
 * user may publish to (a worker: its own queues; README, "NATS users"). The others it names in the
 * commit (`leftToOthers`, Headers.jobsLeft), and the projection publishes them as it reads the commit.
 */
export class InlineDispatch {
  private readonly queues: ReadonlySet<string> | undefined;

  constructor(
    private readonly js: JetStreamClient,
    private readonly topology: Topology,
    private readonly logger: Logger,
    /** The queues this process publishes jobs on; default every queue. */
    queues?: readonly QueueName[],
  ) {
    this.queues = queues ? new Set(queues) : undefined;
  }

  private mayPublish(queue: string): boolean {
    return this.queues === undefined || this.queues.has(queue);
  }

  /** The queues of the jobs among `events` that this process leaves to the projection (distinct, in order). */
  leftToOthers(events: readonly TaskEvent[]): string[] {
    if (this.queues === undefined) return [];
    return [...new Set(jobsOf(events).map((job) => job.queue))].filter((queue) => !this.mayPublish(queue));
  }

  /**
   * Called after an append; never throws. A failed publish is left to the repair, which publishes the
   * job once its SubTask has stayed queued for PROJECTION_JOB_REPAIR_AFTER_MS. Resolves when done
   * (callers need not wait).
   */
  committed(seq: number, events: readonly TaskEvent[]): Promise<void> {
    const jobs = jobsOf(events).filter((job) => this.mayPublish(job.queue));
    if (jobs.length === 0) return Promise.resolve();
    return Promise.all(jobs.map((job) => publishJob(this.js, this.topology, job))).then(
      () => undefined,
      (error: unknown) => this.logger.warn(`jobs of commit ${seq} not published inline (${String(error)}); the projection's job repair publishes them`),
    );
  }
}
