// The one shape of a failed job (DESIGN §6): what the SubTask records (`responseCode`, the message)
// and whether asking again can help (`permanent`: not retried). The job runtime reads it by shape,
// not by class: a client's error (PveError, MoodleError, ...) implements it, and a handler that decides
// a failure itself throws a JobFailureError. Here because every side imports @vle/domain.

export interface JobFailure {
  readonly message: string;
  /** The SubTask's responseCode: the external system's (PVE_500, MOODLE_shortnametaken) or our own (INVALID_PARAMS). */
  readonly responseCode: string;
  /** The same question gets the same answer however often it is asked: the runtime does not retry it. */
  readonly permanent: boolean;
}

/** A failure a handler decides itself, not one a client reports. */
export class JobFailureError extends Error implements JobFailure {
  override readonly name: string = 'JobFailureError';
  readonly responseCode: string;
  readonly permanent: boolean;

  constructor(message: string, responseCode: string, options: { readonly permanent: boolean }) {
    super(message);
    this.responseCode = responseCode;
    this.permanent = options.permanent;
  }
}

export function isJobFailure(error: unknown): error is JobFailure {
  if (typeof error !== 'object' || error === null) return false;
  const { message, responseCode, permanent } = error as Partial<Record<keyof JobFailure, unknown>>;
  return typeof message === 'string' && typeof responseCode === 'string' && typeof permanent === 'boolean';
}
