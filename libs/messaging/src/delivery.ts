// One delivery of one job, from start to ack/nak/term (DESIGN §5, §6). This file and job-runtime.ts
// are the only places that settle job messages.

import type { JsMsg } from '@nats-io/jetstream';
import { ContractError, JobSchema, jobMessageId, parseMessage, retryDelayMs, type Job, type QueuePolicy } from '@vle/contracts';
import { exists, isRuleViolation, STALE_DELIVERY_CODES, type TaskCommand, type TaskEvent, type TaskState } from '@vle/domain';
import { isPermanent, responseCodeOf, responseMessageOf, toJobInput, type JobContext, type JobHandler, type JobInput, type JobResult, type QueueHandlers } from './job-handler.js';
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

export async function handleDelivery(message: JsMsg, deps: DeliveryDeps): Promise<void> {
  let job: Job;
  try {
    job = parseMessage(JobSchema, message.data);
    if (job.queue !== deps.policy.queue) throw new ContractError('VALIDATION_FAILED', `job for queue "${job.queue}" arrived on queue "${deps.policy.queue}"`);
  } catch (error) {
    const code = error instanceof ContractError ? error.code : 'MALFORMED_JOB';
    await deps.deadLetter(message, code, responseMessageOf(error));
    message.term();
    deps.logger.warn(`dead-lettered job message seq ${message.seq} on ${message.subject}: ${responseMessageOf(error)}`);
    return;
  }
  const input = toJobInput(job);
  const attempt = message.info.deliveryCount;
  const maxAttempts = deps.policy.maxRetries + 1;
  const ref = { taskId: input.taskId, subTaskId: input.subTaskId, generation: input.generation };
  const actor = `worker:${deps.policy.queue}`;
  const command = <T extends TaskCommand['type']>(type: T, fields: object) => ({ type, ...ref, at: deps.now().toISOString(), actor, ...fields }) as Extract<TaskCommand, { type: T }>;

  if (attempt > maxAttempts) {
    // The worker of the last attempt died without recording an outcome: record it now.
    const lost = { attempt: attempt - 1, retryInMs: null, permanent: false, responseCode: 'WORKER_LOST', responseMessage: `the worker stopped during attempt ${attempt - 1} of ${maxAttempts}` };
    if (await record(deps, message, command('RecordAttemptFailed', lost))) message.term();
    return;
  }

  const started = await record(deps, message, command('RecordAttemptStarted', { attempt, jobId: jobMessageId(input.subTaskId, input.generation) }));
  if (!started) return;
  const attemptContext: AttemptContext = {
    attempt,
    lastAttempt: attempt >= maxAttempts,
    ...objectsOf(started.state, input),
    reserveObject: async (objectType, objectId) => {
      await deps.commands.handle(command('RecordObjectReserved', { attempt, objectType, objectId }));
    },
  };

  const handler = deps.handlers[input.action];
  const outcome: Outcome = handler
    ? await runAttempt(handler, input, message, attemptContext, deps)
    : { kind: 'failed', error: Object.assign(new Error(`queue ${deps.policy.queue} has no handler for action "${input.action}"`), { permanent: true, responseCode: 'UNKNOWN_ACTION' }) };

  switch (outcome.kind) {
    case 'interrupted':
      // Shutting down: hand the job over at once (its next delivery is the next attempt).
      message.nak();
      return;
    case 'succeeded': {
      const { responseCode = 'OK', responseMessage } = outcome.result;
      if (await record(deps, message, command('RecordSubTaskSucceeded', { attempt, responseCode, responseMessage }))) message.ack();
      return;
    }
    case 'timed_out': {
      if (await record(deps, message, command('RecordSubTaskTimedOut', { attempt, timeoutSeconds: Math.round(outcome.timeoutMs / 1000) }))) message.term();
      return;
    }
    case 'failed': {
      const permanent = isPermanent(outcome.error);
      const retryInMs = permanent || attempt >= maxAttempts ? null : retryDelayMs(deps.policy, attempt);
      const recorded = await record(deps, message, command('RecordAttemptFailed', { attempt, retryInMs, permanent, responseCode: responseCodeOf(outcome.error), responseMessage: responseMessageOf(outcome.error) }));
      if (!recorded) return;
      if (retryInMs !== null && recorded.events.some((e) => e.type === 'SubTaskAttemptFailed')) message.nak(retryInMs);
      else message.term();
      return;
    }
  }
}

/**
 * The SubTask's object in the log when the attempt starts (an earlier attempt may have reserved one),
 * and those of the SubTasks it depends on (a start after a clone acts on the VM the clone made).
 */
function objectsOf(state: TaskState, input: JobInput): Pick<AttemptContext, 'object' | 'dependencies'> {
  const subTask = exists(state) ? state.subtasks.find((s) => s.id === input.subTaskId) : undefined;
  if (!exists(state) || !subTask) return { object: { type: input.objectType, id: input.objectId }, dependencies: [] };
  const dependencies = subTask.dependsOn
    .map((id) => state.subtasks.find((s) => s.id === id))
    .filter((s) => s !== undefined)
    .map((s) => ({ key: s.key, action: s.action, object: { type: s.objectType, id: s.objectId } }));
  return { object: { type: subTask.objectType, id: subTask.objectId }, dependencies };
}

/**
 * Records a fact through the command handler. A rule violation that marks the delivery as out of
 * date (a duplicate job, a stalled worker, a cancelled SubTask) settles the message and returns
 * undefined; any other failure leaves it unacknowledged so that it is delivered again.
 */
async function record(deps: DeliveryDeps, message: JsMsg, command: TaskCommand): Promise<{ readonly events: readonly TaskEvent[]; readonly state: TaskState } | undefined> {
  try {
    return await deps.commands.handle(command);
  } catch (error) {
    if (isRuleViolation(error) && STALE_DELIVERY_CODES.includes(error.code)) {
      deps.logger.log(`dropping out-of-date delivery of ${command.type} for SubTask ${'subTaskId' in command ? command.subTaskId : ''}: ${error.message}`);
      message.term();
      return undefined;
    }
    deps.logger.error(`could not record ${command.type} for Task ${command.taskId}: ${responseMessageOf(error)}; the job will be delivered again`);
    return undefined;
  }
}

type AttemptContext = Omit<JobContext, 'heartbeat' | 'signal'>;

async function runAttempt(handler: JobHandler, input: JobInput, message: JsMsg, context: AttemptContext, deps: DeliveryDeps): Promise<Outcome> {
  const timeoutMs = (input.timeoutSeconds ?? 0) > 0 ? input.timeoutSeconds! * 1000 : deps.policy.attemptTimeoutMs;
  const controller = new AbortController();
  let lastBeat = 0;
  const heartbeat = () => {
    const now = Date.now();
    if (now - lastBeat < 1000) return;
    lastBeat = now;
    message.working();
  };
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
    const work = handler(input, { ...context, heartbeat, signal: controller.signal }).then(
      (result): Outcome => ({ kind: 'succeeded', result: result ?? {} }),
      (error: unknown): Outcome => ({ kind: 'failed', error }),
    );
    return await Promise.race([work, limit, interrupted]);
  } finally {
    clearInterval(beat);
    clearTimeout(timer);
    deps.shutdown.removeEventListener('abort', onShutdown);
  }
}
