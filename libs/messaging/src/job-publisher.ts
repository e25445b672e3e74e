// Publishing the job of a SubTaskQueued fact (DESIGN §5). Two paths publish the same job with the same
// Nats-Msg-Id `<subTaskId>:<generation>`, so JOBS stores it once:
//  - inline: the process that appended the commit publishes its jobs right after the append, which
//    takes a hop (and the dispatcher's delivery) off every DAG level's latency;
//  - the dispatcher, reading every commit from the log: the repair path for a process that died
//    between its append and its publish, or whose publish failed.
// A job is only ever published for a SubTaskQueued already in TASK_EVENTS.

import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { Headers, jobMessageId, type JobJson, type QueueName, type Topology } from '@vle/contracts';
import type { SubTaskQueued, TaskEvent } from '@vle/domain';
import type { Logger } from './task-commands.js';

/**
 * A job message: it names the SubTask and its generation; workers run what the log holds for it, so it
 * carries no params (the action is there for people reading the queue).
 */
export type QueuedJob = Required<Pick<JobJson, 'taskId' | 'subTaskId' | 'generation' | 'queue' | 'action'>>;

/** Publishes one job; resolves once JOBS stored it (or found it a duplicate). */
export async function publishJob(js: JetStreamClient, topology: Topology, job: QueuedJob): Promise<void> {
  const h = natsHeaders();
  h.set(Headers.eventType, 'Job');
  await js.publish(topology.jobSubject(job.queue as QueueName), JSON.stringify(job), { msgID: jobMessageId(job.subTaskId, job.generation), headers: h });
}

/** The job of a SubTaskQueued that names its queue and action (every one written since they do). */
export function jobOf(event: SubTaskQueued): QueuedJob | undefined {
  const { subTaskId, generation, queue, action } = event.data;
  return queue && action ? { taskId: event.taskId, subTaskId, generation, queue, action } : undefined;
}

/** How many commits' sequences are remembered as dispatched inline. */
const REMEMBERED_COMMITS = 65_536;

/**
 * The inline path: publishes the jobs of a commit this process just appended and remembers the
 * commits whose jobs are all stored, so that this process's dispatcher skips them.
 */
export class InlineDispatch {
  private readonly done = new Set<number>();
  /** Publishes under way, by commit: the dispatcher may read a commit before they are stored. */
  private readonly publishing = new Map<number, Promise<boolean>>();

  constructor(
    private readonly js: JetStreamClient,
    private readonly topology: Topology,
    private readonly logger: Logger,
  ) {}

  /** Called after an append; never throws (a failed publish is left to the dispatcher). */
  committed(seq: number, events: readonly TaskEvent[]): void {
    const jobs: QueuedJob[] = [];
    for (const event of events) {
      if (event.type !== 'SubTaskQueued') continue;
      const job = jobOf(event);
      // Without its queue the job needs the Task's definition: the dispatcher's case.
      if (!job) return;
      jobs.push(job);
    }
    if (jobs.length === 0) return;
    const published = Promise.all(jobs.map((job) => publishJob(this.js, this.topology, job))).then(
      () => {
        this.remember(seq);
        return true;
      },
      (error: unknown) => {
        this.logger.warn(`jobs of commit ${seq} not published inline (${String(error)}); the dispatcher publishes them`);
        return false;
      },
    );
    this.publishing.set(seq, published);
    void published.finally(() => this.publishing.delete(seq));
  }

  /** Whether every job of commit `seq` was published by this process (waiting for a publish under way). */
  async dispatched(seq: number): Promise<boolean> {
    return this.done.has(seq) || ((await this.publishing.get(seq)) ?? false);
  }

  private remember(seq: number): void {
    this.done.add(seq);
    if (this.done.size > REMEMBERED_COMMITS) this.done.delete(this.done.values().next().value!);
  }
}
