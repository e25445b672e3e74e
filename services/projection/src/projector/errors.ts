// Errors of the projector, with a stable `code` (STYLE: instanceof does not cross boundaries).

/** Another replica (or a rebuild swap) moved the checkpoint: reload it and resubscribe from there. */
export class CheckpointMoved extends Error {
  override readonly name = 'CheckpointMoved';
  readonly code = 'CHECKPOINT_MOVED';

  constructor(
    readonly projection: string,
    readonly expectedSeq: number,
  ) {
    super(`checkpoint of projection "${projection}" is no longer at ${expectedSeq}: another replica applied it`);
  }
}

export function isCheckpointMoved(error: unknown): error is CheckpointMoved {
  return (error as { code?: unknown } | null)?.code === 'CHECKPOINT_MOVED';
}

/**
 * PostgreSQL refused a value (SQLSTATE class 22 data exception, 23 integrity violation): the rows of
 * some commit do not fit the schema. Retrying the same rows cannot help; other errors (connection
 * lost, server restarting) are transient and are retried from the checkpoint.
 */
export function isDataError(error: unknown): boolean {
  const err = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = typeof err?.code === 'string' ? err.code : err?.driverError?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}
