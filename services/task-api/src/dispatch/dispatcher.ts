// The dispatcher publishes from the log (DESIGN §5): every job it publishes is triggered by a
// SubTaskQueued fact already in TASK_EVENTS, with Nats-Msg-Id `<subTaskId>:<generation>`. The process
// that appended a commit has usually published its jobs already (InlineDispatch, libs/messaging): the
// dispatcher is the path that makes sure, and skips the commits its own process published. It acks a
// commit only after its jobs are stored, so a crash anywhere is repaired by redelivery: the
// duplicate window absorbs a repeat within 10 minutes, the attempt fence of the domain (one job
// message per generation) any later one.
//
// A recent commit (within half the JOBS duplicate window) has its jobs published again as they are;
// an older one's SubTaskQueued is published only while the Task, as this process knows it, still has that
// SubTask queued in that generation: states only move forward, so one already started, finished or
// retried by a person needs no job. A dispatcher whose consumer was reset (DeliverPolicy.All) thus
// reads history without re-publishing it.
//
// Since the inline path publishes nearly every job first, the dispatcher may lag: it gathers what the
// log holds every GATHER_MS and pulls it as one burst (DurableConsumer's gatherMs), instead of a
// delivery and a wakeup of this process for every commit of the log. A recent commit of another
// process needs no job for a SubTask whose SubTaskAttemptStarted of that generation is in the same
// burst: a worker got its job (the usual case: the next level of a DAG starts within milliseconds).

import type { JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { Headers, type Topology } from '@vle/contracts';
import { exists, subTaskById, type PlannedSubTask, type SubTaskQueued, type TaskEvent, type TaskState } from '@vle/domain';
import { decodeCommit, hasErrorCode, type AggregateStore } from '@vle/event-store';
import { DurableConsumer, jobOf, publishJob, Settle, type InlineDispatch, type Logger, type Pull, type Settlement } from '@vle/messaging';
import { DefinitionCache } from './definition-cache.js';

export interface DispatcherOptions {
  readonly js: JetStreamClient;
  readonly store: AggregateStore<TaskEvent>;
  /** The Task's state as this process knows it (the command handler's cache, or the log). */
  readonly known: (taskId: string) => Promise<TaskState>;
  readonly topology: Topology;
  readonly logger: Logger;
  /** Commits handled at once. */
  readonly concurrency?: number;
  /** Between pulls, default GATHER_MS; 0 keeps a pull open (every commit delivered as it is stored). */
  readonly gatherMs?: number;
  /** This process's inline path: commits whose jobs it already published are skipped. */
  readonly inline?: InlineDispatch;
  /**
   * How long after its append a commit's jobs are published again without reading the Task first.
   * Default half the JOBS duplicate window (with room for clock skew); never more than the window.
   */
  readonly recentMs?: number;
}

/** How long the dispatcher lets commits gather between its pulls (and how late it repairs a lost publish). */
const GATHER_MS = 200;

export class Dispatcher {
  private readonly definitions = new DefinitionCache(20_000);
  /** Per pull, per Task subject: the `<subTaskId>:<generation>` whose attempt started in that pull. */
  private readonly startedIn = new WeakMap<Pull, Map<string, Set<string>>>();
  private readonly consumer: DurableConsumer;
  /** Half the JOBS duplicate window: a commit stored since is "recent" (with room for clock skew). */
  private readonly recentMs: number;

  constructor(private readonly options: DispatcherOptions) {
    const { js, topology, logger } = options;
    this.recentMs = options.recentMs ?? (topology.jobStream.duplicate_window ?? 0) / 2e6;
    this.consumer = new DurableConsumer({
      js,
      stream: topology.eventStream.name,
      durable: topology.dispatcherConsumer.durable_name!,
      name: 'dispatcher',
      concurrency: options.concurrency ?? 256,
      gatherMs: options.gatherMs ?? GATHER_MS,
      logger,
      handle: (message, pull) => this.handle(message, pull),
    });
  }

  start(): void {
    this.consumer.start();
  }

  stop(): Promise<void> {
    return this.consumer.stop();
  }

  private async handle(message: JsMsg, pull: Pull): Promise<Settlement> {
    const { topology, logger } = this.options;
    // Most commits hold no SubTaskQueued: the header says so without parsing the body.
    const types = message.headers?.get(Headers.eventType) ?? '';
    if (types && !types.includes('SubTaskQueued')) return Settle.ack;
    if (await this.options.inline?.dispatched(message.seq)) return Settle.ack;
    const taskId = topology.taskIdOf(message.subject);
    try {
      const commit = decodeCommit<TaskEvent>({ seq: message.seq, subject: message.subject, time: message.time.toISOString(), data: message.data }, taskId);
      const queued = commit.events.filter((e): e is SubTaskQueued => e.type === 'SubTaskQueued');
      if (queued.length === 0) return Settle.ack;
      // A recent commit's jobs are published again as they are: JOBS stores a job once within its
      // duplicate window (also one already run and removed), which costs less than reading the
      // Task (this process seldom has it cached: another replica or a worker appended it). An older
      // one (a consumer reset reading history) is checked against the Task first.
      const recent = Date.now() - message.time.getTime() < this.recentMs;
      const state = recent ? undefined : await this.options.known(taskId);
      let due = state ? queued.filter((event) => stillQueued(state, event)) : queued;
      if (recent && due.length > 0) {
        const started = await this.started(pull, message.subject);
        due = due.filter((event) => !started.has(jobKey(event.data)));
      }
      await Promise.all(due.map((event) => this.publish(taskId, event)));
      return Settle.ack;
    } catch (error) {
      if (hasErrorCode(error, 'MALFORMED_COMMIT')) {
        logger.error(`dispatcher: skipping malformed commit ${message.seq} on ${message.subject}: ${String(error)}`);
        return Settle.term;
      }
      logger.warn(`dispatcher: commit ${message.seq} of Task ${taskId} not dispatched yet (${String(error)}); it is delivered again`);
      return Settle.nak(1000);
    }
  }

  /** The attempts started on `subject` in `pull` (read once the pull ended; commits without a start are not parsed). */
  private async started(pull: Pull, subject: string): Promise<Set<string>> {
    await pull.ended;
    let bySubject = this.startedIn.get(pull);
    if (!bySubject) this.startedIn.set(pull, (bySubject = new Map()));
    let keys = bySubject.get(subject);
    if (keys) return keys;
    keys = new Set();
    bySubject.set(subject, keys);
    const taskId = this.options.topology.taskIdOf(subject);
    for (const m of pull.messages) {
      if (m.subject !== subject || !(m.headers?.get(Headers.eventType) ?? '').includes('SubTaskAttemptStarted')) continue;
      try {
        const commit = decodeCommit<TaskEvent>({ seq: m.seq, subject: m.subject, time: m.time.toISOString(), data: m.data }, taskId);
        for (const e of commit.events) if (e.type === 'SubTaskAttemptStarted') keys.add(jobKey(e.data));
      } catch {
        // A malformed commit proves nothing; its own delivery reports it.
      }
    }
    return keys;
  }

  private async publish(taskId: string, event: SubTaskQueued): Promise<void> {
    const { subTaskId, generation } = event.data;
    const job = jobOf(event) ?? { taskId, subTaskId, generation, ...(await this.queueOf(taskId, subTaskId)) };
    await publishJob(this.options.js, this.options.topology, job);
  }

  private async queueOf(taskId: string, subTaskId: string): Promise<{ queue: string; action: string }> {
    const { queue, action } = await this.definitionOf(taskId, subTaskId);
    return { queue, action };
  }

  /** A log written before SubTaskQueued carried the queue: read the SubTask's definition (never changes). */
  private async definitionOf(taskId: string, subTaskId: string): Promise<PlannedSubTask> {
    const cached = this.definitions.find(taskId, subTaskId);
    if (cached) return cached;
    const { commits } = await this.options.store.load(taskId);
    const created = commits.flatMap((c) => c.events).find((e) => e.type === 'TaskCreated');
    if (!created || created.type !== 'TaskCreated') throw new Error(`Task ${taskId} has no TaskCreated event`);
    this.definitions.remember(taskId, created.data.subtasks);
    const found = this.definitions.find(taskId, subTaskId);
    if (!found) throw new Error(`Task ${taskId} has no SubTask ${subTaskId}`);
    return found;
  }
}

function jobKey(ref: { readonly subTaskId: string; readonly generation: number }): string {
  return `${ref.subTaskId}:${ref.generation}`;
}

/** Whether the SubTask may still need this generation's job: queued in it, as far as this process knows. */
function stillQueued(state: TaskState, event: SubTaskQueued): boolean {
  if (!exists(state)) return true;
  const subTask = subTaskById(state, event.data.subTaskId);
  if (!subTask) return true;
  return subTask.generation < event.data.generation || (subTask.generation === event.data.generation && subTask.status === 'queued');
}
