// One delivery of one job, from start to ack/nak/term (DESIGN §5, §6). This file and job-runtime.ts
// are the only places that settle job messages.

import { randomUUID } from 'node:crypto';
import type { JsMsg } from '@nats-io/jetstream';
import { ContractError, JobSchema, jobMessageId, parseMessage, retryDelayMs, scrubText, type Job, type QueuePolicy } from '@vle/contracts';
import { exists, isRuleViolation, STALE_DELIVERY_CODES, subTaskById, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { jobAttemptDuration, jobsFailed, jobsRetried, jobsStarted, jobsSucceeded } from '@vle/metrics';
import { Attr, extractTraceContext, inSpan, markFailed, natsAttributes, SpanKind, startSpan, withActiveSpan, type Span } from '@vle/tracing';
import { isPermanent, JobFailureError, PermanentJobError, responseCodeOf, responseMessageOf, type JobContext, type JobHandler, type JobInput, type JobResult, type QueueHandlers } from './job-handler.js';
import type { Logger, TaskCommands } from './task-commands.js';

export interface DeliveryDeps {
  readonly policy: QueuePolicy;
  readonly handlers: QueueHandlers;
  readonly commands: TaskCommands;
  readonly logger: Logger;
  readonly now: () => Date;
  /** Shuts every running attempt down (worker stopping). */
  readonly shutdown: AbortSignal;
  readonly heartbeatMs: number;
  deadLetter(message: JsMsg, code: string, reason: string): Promise<void>;
}

type Outcome =
  | { kind: 'succeeded'; result: JobResult }
  | { kind: 'failed'; error: unknown }
  | { kind: 'timed_out'; timeoutMs: number }
  | { kind: 'interrupted' };

/**
 * Handles one delivery in a `job <queue>/<action>` span, child of the span that published the job
 * (its commit's), so that every attempt of a SubTask, a redelivery an hour later included, is in
 * the trace of the command that queued it; a job that carries no trace context (its command was
 * not sampled) is handled without any span.
 */
export function handleDelivery(message: JsMsg, deps: DeliveryDeps): Promise<void> {
  const attributes = { ...natsAttributes(message.subject, 'process'), [Attr.queue]: deps.policy.queue, [Attr.attempt]: message.info.deliveryCount };
  return inSpan({ name: `job ${deps.policy.queue}`, kind: SpanKind.CONSUMER, parent: extractTraceContext(message.headers), attributes }, (span) => deliver(message, deps, span));
}

async function deliver(message: JsMsg, deps: DeliveryDeps, span: Span): Promise<void> {
  let job: Job;
  try {
    job = parseMessage(JobSchema, message.data);
    if (job.queue !== deps.policy.queue) throw new ContractError('VALIDATION_FAILED', `job for queue "${job.queue}" arrived on queue "${deps.policy.queue}"`);
  } catch (error) {
    const code = error instanceof ContractError ? error.code : 'MALFORMED_JOB';
    span.setAttribute(Attr.outcome, 'dead_lettered');
    markFailed(span, code);
    await deadLetter(deps, message, code, responseMessageOf(error));
    return;
  }
  span.updateName(`job ${deps.policy.queue}/${job.action}`);
  span.setAttributes({ [Attr.taskId]: job.taskId, [Attr.subTaskId]: job.subTaskId, [Attr.generation]: job.generation, [Attr.action]: job.action });
  const attempt = message.info.deliveryCount;
  const maxAttempts = deps.policy.maxRetries + 1;
  // Fences this attempt: every report below carries it, and a report from any other delivery
  // (a duplicate job, a stalled worker, a server that lost its consumer state) is refused.
  const deliveryId = randomUUID();
  const ref = { taskId: job.taskId, subTaskId: job.subTaskId, generation: job.generation };
  const actor = `worker:${deps.policy.queue}`;
  const command = <T extends TaskCommand['type']>(type: T, fields: object) => ({ type, ...ref, at: deps.now().toISOString(), actor, ...fields }) as Extract<TaskCommand, { type: T }>;

  if (attempt > maxAttempts) {
    // The worker of the last attempt died without recording an outcome: record it now.
    span.setAttribute(Attr.outcome, 'worker_lost');
    if (await record(deps, message, command('RecordWorkerLost', { responseMessage: `the worker stopped during attempt ${attempt - 1} of ${maxAttempts}` }))) message.term();
    return;
  }

  const jobId = jobMessageId(job.subTaskId, job.generation);
  const started = await record(deps, message, command('RecordAttemptStarted', { attempt, jobId, queue: deps.policy.queue, jobSeq: message.seq, deliveryId }));
  // What runs is what the log says, never what the message says: a forged or stale job names a
  // SubTask at most, and runs that SubTask's planned action with its planned params.
  const input = started && jobInputOf(started.state, ref);
  if (!input) {
    // Out of date (a duplicate, a finished or cancelled SubTask), or the log could not be reached.
    span.setAttribute(Attr.outcome, 'not_started');
    return;
  }
  if (input.action !== job.action) span.updateName(`job ${deps.policy.queue}/${input.action}`);
  span.setAttribute(Attr.action, input.action);
  const attemptContext: AttemptContext = {
    attempt,
    lastAttempt: attempt >= maxAttempts,
    ...objectsOf(started.state, input),
    reserveObject: async (objectType, objectId) => {
      await deps.commands.handle(command('RecordObjectReserved', { attempt, deliveryId, objectType, objectId }));
    },
  };

  const labels = { queue: deps.policy.queue, action: input.action };
  jobsStarted.inc(labels);
  const handler = deps.handlers[input.action];
  const stopTimer = jobAttemptDuration.startTimer(labels);
  const outcome: Outcome = handler
    ? await runAttempt(handler, input, message, attemptContext, deps)
    : { kind: 'failed', error: new PermanentJobError(`queue ${deps.policy.queue} has no handler for action "${input.action}"`, 'UNKNOWN_ACTION') };
  const seconds = stopTimer({ outcome: outcome.kind });
  // Inside the job's span: the line carries its trace and span ids (ServiceLogger).
  deps.logger.debug?.(`Task ${input.taskId} SubTask ${input.subTaskId} (${deps.policy.queue}/${input.action}) attempt ${attempt}/${maxAttempts}: ${outcome.kind} in ${Math.round(seconds * 1000)} ms`);
  span.setAttribute(Attr.outcome, outcome.kind);
  if (outcome.kind === 'failed') markFailed(span, responseCodeOf(outcome.error));
  if (outcome.kind === 'timed_out') markFailed(span, 'ATTEMPT_TIMEOUT');
  const report = { attempt, deliveryId };

  switch (outcome.kind) {
    case 'interrupted':
      // Shutting down: hand the job over at once (its next delivery is the next attempt).
      message.nak();
      return;
    case 'succeeded': {
      const { responseCode = 'OK' } = outcome.result;
      // A success's answer is external text too (an SMTP server's 250 line, a partial refusal).
      const responseMessage = outcome.result.responseMessage === undefined ? undefined : scrubText(outcome.result.responseMessage);
      if (await recordOutcome(deps, message, command('RecordSubTaskSucceeded', { ...report, responseCode, responseMessage }))) {
        jobsSucceeded.inc(labels);
        message.ack();
      }
      return;
    }
    case 'timed_out': {
      // A timed-out attempt is retried like any transient failure, unless the handler says a
      // timeout is final or no attempt follows; then the SubTask ends timed_out.
      if (handler?.retryOnTimeout === false || attempt >= maxAttempts) {
        if (await recordOutcome(deps, message, command('RecordSubTaskTimedOut', { ...report, timeoutSeconds: Math.round(outcome.timeoutMs / 1000) }))) {
          jobsFailed.inc(labels);
          message.term();
        }
        return;
      }
      const timedOut = new JobFailureError(`attempt ${attempt} did not finish within ${Math.round(outcome.timeoutMs / 1000)} s`, 'ATTEMPT_TIMEOUT', { permanent: false });
      await recordFailure(deps, message, input, report, timedOut, command);
      return;
    }
    case 'failed':
      await recordFailure(deps, message, input, report, outcome.error, command);
      return;
  }
}

type CommandOf = <T extends TaskCommand['type']>(type: T, fields: object) => Extract<TaskCommand, { type: T }>;

/** Records a failed attempt (retried per the queue's policy unless permanent or the last), logs it at warn, and settles. */
async function recordFailure(deps: DeliveryDeps, message: JsMsg, input: JobInput, report: { attempt: number; deliveryId: string }, error: unknown, command: CommandOf): Promise<void> {
  const { attempt } = report;
  const maxAttempts = deps.policy.maxRetries + 1;
  const permanent = isPermanent(error);
  const retryInMs = permanent || attempt >= maxAttempts ? null : retryDelayMs(deps.policy, attempt);
  const responseCode = responseCodeOf(error);
  const responseMessage = responseMessageOf(error);
  const next = retryInMs === null ? (permanent ? 'permanent, not retried' : 'no attempt left') : `next attempt ${attempt + 1} in ${Math.round(retryInMs / 1000)} s`;
  deps.logger.warn(`Task ${input.taskId} SubTask ${input.subTaskId} (${input.action}) attempt ${attempt}/${maxAttempts} failed: ${responseCode} ${responseMessage}; ${next}`);
  const recorded = await recordOutcome(deps, message, command('RecordAttemptFailed', { ...report, retryInMs, permanent, responseCode, responseMessage }));
  if (!recorded) return;
  const labels = { queue: deps.policy.queue, action: input.action };
  if (retryInMs !== null && recorded.events.some((e) => e.type === 'SubTaskAttemptFailed')) {
    jobsRetried.inc(labels);
    message.nak(retryInMs);
  } else {
    jobsFailed.inc(labels);
    message.term();
  }
}

/** The job as the log defines it: the SubTask's planned action, params, object and timeout. */
function jobInputOf(state: TaskState, ref: { taskId: string; subTaskId: string; generation: number }): JobInput | undefined {
  const subTask = exists(state) ? subTaskById(state, ref.subTaskId) : undefined;
  if (!subTask) return undefined;
  return {
    ...ref,
    queue: subTask.queue,
    action: subTask.action,
    objectType: subTask.objectType,
    objectId: subTask.objectId,
    params: subTask.params,
    timeoutSeconds: subTask.timeoutSeconds,
  };
}

/**
 * The SubTask's object in the log when the attempt starts (an earlier attempt may have reserved one),
 * and those of the SubTasks it depends on (a start after a clone acts on the VM the clone made).
 */
function objectsOf(state: TaskState, input: JobInput): Pick<AttemptContext, 'object' | 'dependencies'> {
  const subTask = exists(state) ? subTaskById(state, input.subTaskId) : undefined;
  if (!exists(state) || !subTask) return { object: { type: input.objectType, id: input.objectId }, dependencies: [] };
  const dependencies = subTask.dependsOn
    .map((id) => subTaskById(state, id))
    .filter((s) => s !== undefined)
    .map((s) => ({ key: s.key, action: s.action, object: { type: s.objectType, id: s.objectId } }));
  return { object: { type: subTask.objectType, id: subTask.objectId }, dependencies };
}

type Recorded = { readonly events: readonly TaskEvent[]; readonly state: TaskState };

/**
 * Records a fact through the command handler. A rule violation that marks the delivery as out of
 * date (a duplicate job, a stalled worker, a cancelled SubTask) settles the message and returns
 * undefined; a job on the wrong queue is dead-lettered; any other failure leaves it unacknowledged
 * so that it is delivered again.
 */
async function record(deps: DeliveryDeps, message: JsMsg, command: TaskCommand): Promise<Recorded | undefined> {
  try {
    return await deps.commands.handle(command);
  } catch (error) {
    if (settleRefusal(deps, message, command, error)) return undefined;
    deps.logger.error(`could not record ${command.type} for Task ${command.taskId}: ${responseMessageOf(error)}; the job will be delivered again`);
    return undefined;
  }
}

/** How long an attempt's outcome is retried in place (the work is done; a redelivery would redo it). */
const OUTCOME_RECORD_BUDGET_MS = 60_000;

/**
 * Records an attempt's outcome, retrying in place while the log is unreachable or contended (the
 * work is done: leaving the message to redelivery would run it again and, after the last attempt,
 * end work that succeeded as WORKER_LOST). Heartbeats meanwhile so the job stays ours.
 */
async function recordOutcome(deps: DeliveryDeps, message: JsMsg, command: TaskCommand): Promise<Recorded | undefined> {
  const deadline = Date.now() + OUTCOME_RECORD_BUDGET_MS;
  for (let failures = 0; ; failures++) {
    try {
      return await deps.commands.handle(command);
    } catch (error) {
      if (settleRefusal(deps, message, command, error)) return undefined;
      if (Date.now() >= deadline || deps.shutdown.aborted) {
        deps.logger.error(`could not record ${command.type} for Task ${command.taskId}: ${responseMessageOf(error)}; the job will be delivered again`);
        return undefined;
      }
      message.working();
      await abortableDelay(Math.min(2000, 50 * 2 ** failures), deps.shutdown);
    }
  }
}

/** Settles a delivery the rules refuse; false for any other error. */
function settleRefusal(deps: DeliveryDeps, message: JsMsg, command: TaskCommand, error: unknown): boolean {
  if (!isRuleViolation(error)) return false;
  if (STALE_DELIVERY_CODES.includes(error.code)) {
    deps.logger.log(`dropping out-of-date delivery of ${command.type} for SubTask ${'subTaskId' in command ? command.subTaskId : ''}: ${error.message}`);
    message.term();
    return true;
  }
  if (error.code === 'ATTEMPT_IN_PROGRESS') {
    // The same message delivered again while its attempt runs in another delivery (a server that
    // lost its consumer state counts from 1 again). Not terminated: if that delivery's worker died,
    // this message is the SubTask's only job. It comes back once the running attempt must have ended
    // (recorded, or timed out), and then starts the next attempt or is refused as finished.
    const delayMs = deps.policy.attemptTimeoutMs + 3 * deps.heartbeatMs;
    deps.logger.warn(`${error.message}; delivery of job message ${message.seq} held back for ${Math.round(delayMs / 1000)} s`);
    message.nak(delayMs);
    return true;
  }
  if (error.code === 'WRONG_QUEUE') {
    void deadLetter(deps, message, error.code, error.message);
    return true;
  }
  return false;
}

async function deadLetter(deps: DeliveryDeps, message: JsMsg, code: string, reason: string): Promise<void> {
  await deps.deadLetter(message, code, reason);
  message.term();
  deps.logger.warn(`dead-lettered job message seq ${message.seq} on ${message.subject}: ${reason}`);
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

type AttemptContext = Omit<JobContext, 'signal'>;

async function runAttempt(handler: JobHandler, input: JobInput, message: JsMsg, context: AttemptContext, deps: DeliveryDeps): Promise<Outcome> {
  const timeoutMs = (input.timeoutSeconds ?? 0) > 0 ? input.timeoutSeconds! * 1000 : deps.policy.attemptTimeoutMs;
  const controller = new AbortController();
  // The one heartbeat of a running attempt (handlers have none): JetStream keeps the job ours while
  // this process runs it; a crashed or frozen process stops beating and the job goes to another.
  const beat = setInterval(() => message.working(), deps.heartbeatMs);
  let timer: NodeJS.Timeout | undefined;
  let interrupt: (outcome: Outcome) => void = () => {};
  const interrupted = new Promise<Outcome>((resolve) => (interrupt = resolve));
  const onShutdown = () => {
    controller.abort(new Error('worker shutting down'));
    interrupt({ kind: 'interrupted' });
  };
  if (deps.shutdown.aborted) onShutdown();
  else deps.shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    const limit = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error(`attempt timed out after ${timeoutMs} ms`));
        resolve({ kind: 'timed_out', timeoutMs });
      }, timeoutMs);
    });
    // The handler's own span: its calls to external systems are its children.
    const span = startSpan({ name: `handle ${input.action}`, attributes: { [Attr.taskId]: input.taskId, [Attr.subTaskId]: input.subTaskId, [Attr.action]: input.action } });
    const endSpan = onceOnly((code?: string) => {
      if (code !== undefined) markFailed(span, code);
      span.end();
    });
    const work = withActiveSpan(span, () => handler(input, { ...context, signal: controller.signal })).then(
      (result): Outcome => {
        endSpan();
        return { kind: 'succeeded', result: result ?? {} };
      },
      (error: unknown): Outcome => {
        endSpan(responseCodeOf(error));
        return { kind: 'failed', error };
      },
    );
    const outcome = await Promise.race([work, limit, interrupted]);
    // A handler that outlives its attempt (it ignores the abort) does not keep its span open.
    if (outcome.kind === 'timed_out') endSpan('ATTEMPT_TIMEOUT');
    if (outcome.kind === 'interrupted') endSpan('INTERRUPTED');
    return outcome;
  } finally {
    clearInterval(beat);
    clearTimeout(timer);
    deps.shutdown.removeEventListener('abort', onShutdown);
  }
}

function onceOnly<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void {
  let done = false;
  return (...args) => {
    if (done) return;
    done = true;
    fn(...args);
  };
}
