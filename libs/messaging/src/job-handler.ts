// What a worker's handler is: a plain async function over its clients (temporalio style). It
// returns what the external system answered, or throws. "Do not retry" is an error type; the retry
// delay is the queue's policy, applied by the runtime.

import { scrubText } from '@vle/contracts';
import type { ObjectType } from '@vle/domain';
import { isJobFailure, JobFailureError } from '@vle/domain';

/** A job as the handler sees it (proto vle.tasks.v1.Job, JSON shape). */
export interface JobInput {
  readonly taskId: string;
  readonly subTaskId: string;
  readonly generation: number;
  readonly queue: string;
  readonly action: string;
  readonly objectType?: string;
  readonly objectId?: string;
  readonly params: Record<string, unknown>;
  readonly timeoutSeconds?: number;
}

export interface JobContext {
  /** This attempt's number (1-based) within the SubTask's current generation. */
  readonly attempt: number;
  /** Whether no retry follows a transient failure of this attempt. */
  readonly lastAttempt: boolean;
  /** Aborted when the attempt's timeout passes or the worker shuts down. */
  readonly signal: AbortSignal;
  /**
   * The SubTask's object as the log holds it when this attempt starts: the one it was planned with,
   * or the one an earlier attempt reserved (see reserveObject).
   */
  readonly object: { readonly type?: string; readonly id?: string };
  /**
   * Records in the Task's log, before the handler creates it, the id of the object this attempt is
   * about to create (the VMID of a clone). A later attempt finds it in `object` and looks the object
   * up instead of creating a second one. Rejects when this attempt is no longer the current one (a
   * stalled worker): the handler must then not create anything.
   */
  reserveObject(type: ObjectType, id: string): Promise<void>;
  /** The SubTasks this one depends on (all finished), with their objects as the log holds them. */
  readonly dependencies: ReadonlyArray<{ readonly key: string; readonly action: string; readonly object: { readonly type?: string; readonly id?: string } }>;
}

export interface JobResult {
  readonly responseCode?: string;
  readonly responseMessage?: string;
}

export interface JobHandler {
  (job: JobInput, context: JobContext): Promise<JobResult>;
  /**
   * Whether an attempt that runs past its timeout is retried like a transient failure (the default)
   * or ends the SubTask `timed_out` at once (work that must not be started twice after a timeout).
   */
  readonly retryOnTimeout?: boolean;
}

/** Something that validates a job's params and gives them typed (a zod schema fits). */
export interface ParamsSchema<P> {
  safeParse(value: unknown): { success: true; data: P } | { success: false; error: { issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }> } };
}

/**
 * A handler over typed params: they are validated once, before `run`; params that do not fit fail
 * the SubTask at once (`INVALID_PARAMS`, naming the field) instead of being read by hand.
 */
export function defineHandler<P>(schema: ParamsSchema<P>, run: (params: P, job: JobInput, context: JobContext) => Promise<JobResult>, options: { retryOnTimeout?: boolean } = {}): JobHandler {
  const handler = async (job: JobInput, context: JobContext): Promise<JobResult> => {
    const parsed = schema.safeParse(job.params);
    if (!parsed.success) {
      const reasons = parsed.error.issues.map((i) => `params${i.path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`)).join('')}: ${i.message}`);
      throw new PermanentJobError(`invalid job params: ${reasons.join('; ')}`, 'INVALID_PARAMS');
    }
    return run(parsed.data, job, context);
  };
  return Object.assign(handler, { retryOnTimeout: options.retryOnTimeout ?? true });
}

/** Handlers of one queue, by action. */
export type QueueHandlers = Readonly<Record<string, JobHandler>>;

// The failure shape lives in @vle/domain (the integration clients implement it); handlers take it from here.
export { isJobFailure, JobFailureError, type JobFailure } from '@vle/domain';

/** A JobFailure that is permanent: the external system will answer the same way however often we ask. */
export class PermanentJobError extends JobFailureError {
  override readonly name = 'PermanentJobError';

  constructor(message: string, responseCode = 'PERMANENT') {
    super(message, responseCode, { permanent: true });
  }
}

/** Whether a failure is not retried: only a JobFailure (@vle/domain) that says so. */
export function isPermanent(error: unknown): boolean {
  return isJobFailure(error) && error.permanent;
}

/** A JobFailure's responseCode; for anything else (a Node system error) its `code`, else ERROR. */
export function responseCodeOf(error: unknown): string {
  if (isJobFailure(error)) return error.responseCode;
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' || typeof code === 'number' ? String(code) : 'ERROR';
}

const MAX_RESPONSE_MESSAGE = 2000;

/** An external system's error text, as the SubTask records it: secrets inside it masked (DESIGN §7). */
export function responseMessageOf(error: unknown): string {
  const message = scrubText(error instanceof Error ? error.message : String(error));
  return message.length > MAX_RESPONSE_MESSAGE ? `${message.slice(0, MAX_RESPONSE_MESSAGE)}…` : message;
}
