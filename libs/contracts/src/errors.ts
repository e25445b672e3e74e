// Errors that cross a process boundary carry a stable `code` (instanceof does not survive NATS/HTTP).

export interface Violation {
  /** JSON path of the field, e.g. `subtasks[2].dependsOn[0]`; '' for the whole message. */
  readonly field: string;
  readonly message: string;
  /** HTTP only: where in the field's value the problem is (0-based offset), e.g. in a search query. */
  readonly position?: number;
}

/** The body of an HTTP 4xx and of a NATS error reply (proto: vle.tasks.v1.ErrorReply). */
export interface ErrorReplyBody {
  readonly code: string;
  readonly message: string;
  readonly violations?: readonly Violation[];
}

export type ContractErrorCode = 'MALFORMED_JSON' | 'VALIDATION_FAILED' | 'PAYLOAD_TOO_LARGE' | 'UNSUPPORTED_MEDIA_TYPE';

/** An inbound message that does not satisfy its schema. */
export class ContractError extends Error {
  override readonly name = 'ContractError';

  constructor(
    readonly code: ContractErrorCode,
    message: string,
    readonly violations: readonly Violation[] = [],
  ) {
    super(message);
  }

  toReply(): ErrorReplyBody {
    return { code: this.code, message: this.message, violations: this.violations };
  }
}

export function isErrorReply(value: unknown): value is ErrorReplyBody {
  return typeof value === 'object' && value !== null && typeof (value as ErrorReplyBody).code === 'string' && typeof (value as ErrorReplyBody).message === 'string';
}
