// The typed errors of the event store. Each carries a stable `code`: `instanceof` does not survive a
// process boundary, nor two copies of this package in one process, so callers test `code`.

export type EventStoreErrorCode =
  | 'NATS_UNREACHABLE'
  | 'PROVISIONING_FAILED'
  | 'INVALID_COMMIT'
  | 'COMMIT_TOO_LARGE'
  | 'WRONG_EXPECTED_SEQUENCE'
  | 'MALFORMED_COMMIT'
  | 'LOAD_TIMEOUT'
  | 'CONCURRENCY_CONFLICT'
  | 'STREAM_UNAVAILABLE';

export abstract class EventStoreError extends Error {
  abstract readonly code: EventStoreErrorCode;
}

export function hasErrorCode(err: unknown, code: EventStoreErrorCode): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}

export class NatsUnreachable extends EventStoreError {
  override readonly name = 'NatsUnreachable';
  readonly code = 'NATS_UNREACHABLE';

  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`NATS is not reachable at ${url}: ${reasonOf(cause)}`, { cause });
  }
}

export class ProvisioningFailed extends EventStoreError {
  override readonly name = 'ProvisioningFailed';
  readonly code = 'PROVISIONING_FAILED';

  constructor(what: string, cause: unknown) {
    super(`cannot provision ${what}: ${reasonOf(cause)}`, { cause });
  }
}

/** A programming error of the caller: an empty commit, or an event of another Task. */
export class InvalidCommit extends EventStoreError {
  override readonly name = 'InvalidCommit';
  readonly code = 'INVALID_COMMIT';
}

export class CommitTooLarge extends EventStoreError {
  override readonly name = 'CommitTooLarge';
  readonly code = 'COMMIT_TOO_LARGE';

  constructor(
    readonly taskId: string,
    readonly bytes: number,
    readonly limit: number,
    cause?: unknown,
  ) {
    super(`commit of ${bytes} bytes for task ${taskId} exceeds the limit of ${limit} bytes`, { cause });
  }
}

/** The subject has moved past the sequence the caller decided on: reload and decide again. */
export class WrongExpectedSequence extends EventStoreError {
  override readonly name = 'WrongExpectedSequence';
  readonly code = 'WRONG_EXPECTED_SEQUENCE';

  constructor(
    readonly taskId: string,
    readonly expectedSeq: number,
    /** The subject's last sequence according to the server, when it said so. */
    readonly actualSeq: number | undefined,
    cause?: unknown,
  ) {
    super(`task ${taskId}: expected last sequence ${expectedSeq}, but it is ${actualSeq ?? 'different'}`, { cause });
  }
}

/** A message of the event stream that is not a commit (not JSON, no events array, foreign events). */
export class MalformedCommit extends EventStoreError {
  override readonly name = 'MalformedCommit';
  readonly code = 'MALFORMED_COMMIT';

  constructor(
    readonly seq: number,
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`malformed commit at stream sequence ${seq} (${subject}): ${reason}`);
  }
}

export class LoadTimeout extends EventStoreError {
  override readonly name = 'LoadTimeout';
  readonly code = 'LOAD_TIMEOUT';

  constructor(
    readonly taskId: string,
    readonly timeoutMs: number,
  ) {
    super(`loading task ${taskId} did not finish within ${timeoutMs} ms`);
  }
}

/** Every retry of a command met a newer sequence: the Task is too contended right now. */
export class ConcurrencyConflict extends EventStoreError {
  override readonly name = 'ConcurrencyConflict';
  readonly code = 'CONCURRENCY_CONFLICT';

  constructor(
    readonly taskId: string,
    readonly attempts: number,
    cause?: unknown,
  ) {
    super(`task ${taskId}: gave up after ${attempts} attempts, each met a concurrent change`, { cause });
  }
}

/** No stream answered an append: the event stream was deleted (or never provisioned), or JetStream is off. */
export class StreamUnavailable extends EventStoreError {
  override readonly name = 'StreamUnavailable';
  readonly code = 'STREAM_UNAVAILABLE';

  constructor(
    readonly stream: string,
    readonly subject: string,
    cause: unknown,
  ) {
    super(`no JetStream stream stores ${subject}: stream ${stream} not found, or JetStream is not enabled (${reasonOf(cause)})`, { cause });
  }
}

function reasonOf(cause: unknown): string {
  return cause instanceof Error ? cause.message : String(cause);
}
