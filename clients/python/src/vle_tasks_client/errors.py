"""What the client raises: one class per family of the API's error codes, each carrying the code.

A refused request is answered with the ErrorReply body of libs/contracts, ``{code, message,
violations: [{field, message, position?}]}``. The class says the family (by the HTTP status, a 400
refined by its code) and ``code`` the exact reason, a stable string: compare codes, not messages.
Nothing here ever holds the token.
"""

from dataclasses import dataclass
from typing import Any, Mapping, Optional, Sequence, cast

__all__ = [
    "VleTasksError",
    "TransportError",
    "ConnectionFailed",
    "RequestTimeout",
    "ApiError",
    "BadRequest",
    "ValidationFailed",
    "InvalidTask",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "Unavailable",
    "TaskWaitTimeout",
    "Violation",
    "api_error",
]


class VleTasksError(Exception):
    """The base of every error of this package."""


class TransportError(VleTasksError):
    """No HTTP answer came: the connection failed or the server was silent too long."""

    def __init__(self, message: str, *, method: str, url: str) -> None:
        super().__init__(f"{method} {url}: {message}")
        self.method = method
        self.url = url


class ConnectionFailed(TransportError):
    """The connection was refused, reset or dropped before a whole answer arrived."""


class RequestTimeout(TransportError):
    """Connecting, or a read of the answer, took longer than the request's timeout."""


@dataclass(frozen=True)
class Violation:
    """One bad field: its JSON path (``subtasks[2].dependsOn[0]``, ``q``) and what is wrong."""

    field: str
    message: str
    # Where in the field's value the problem is (0-based), e.g. in a query of the search language.
    position: Optional[int] = None


class ApiError(VleTasksError):
    """The API answered with an error: ``status``, ``code`` and ``message`` as it said them."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        violations: Sequence[Violation] = (),
        *,
        operation_id: str = "",
        retry_after: Optional[float] = None,
    ) -> None:
        detail = "; ".join(f"{v.field}: {v.message}" if v.field else v.message for v in violations)
        where = f"{operation_id}: " if operation_id else ""
        super().__init__(f"{where}{status} {code}: {message}" + (f" ({detail})" if detail and detail not in message else ""))
        self.status = status
        self.code = code
        self.message = message
        self.violations = tuple(violations)
        self.operation_id = operation_id
        # Seconds the server asked to wait before sending again (Retry-After), if it said.
        self.retry_after = retry_after

    def violation(self, field: str) -> Optional[Violation]:
        """The violation naming ``field``, if any."""
        return next((v for v in self.violations if v.field == field), None)


class BadRequest(ApiError):
    """400: the request is wrong (a field, a parameter, the body)."""


class ValidationFailed(BadRequest):
    """400 ``VALIDATION_FAILED`` or ``MALFORMED_JSON``: the violations name each bad field; a bad
    query of the search language names ``q`` with the ``position`` of the problem."""

    @property
    def position(self) -> Optional[int]:
        """Where in ``q`` the problem is (0-based), for a bad query of the search language."""
        found = self.violation("q")
        return found.position if found else None


class InvalidTask(BadRequest):
    """400: a Task that cannot be made (``DAG_CYCLE``, ``UNKNOWN_QUEUE``, ``UNKNOWN_DEPENDENCY``,
    ``DUPLICATE_KEY``, ``EMPTY_DAG``, ``INVALID_PARAMS``, ``UNKNOWN_TASK_TYPE``, ``INVALID_SCHEDULE``)."""


class Unauthenticated(ApiError):
    """401 ``UNAUTHENTICATED``: no token, or one malformed, badly signed, expired, not yet valid,
    of another issuer or audience; the message says which."""


class Forbidden(ApiError):
    """403 ``FORBIDDEN``: a valid token without the route's permission (the message names it), or a
    body naming another user, or a scope that forbids the request."""


class NotFound(ApiError):
    """404: ``TASK_NOT_FOUND`` (also a Task outside the token's scope), ``SUBTASK_NOT_FOUND``,
    ``DEAD_LETTER_NOT_FOUND``, ``VM_NOT_FOUND``."""


class Conflict(ApiError):
    """409: a rule of the Task refuses the command (``NOT_RETRYABLE``, ``NOT_SKIPPABLE``,
    ``RETRY_WINDOW_EXPIRED``, ``TASK_FINISHED``, ``TASK_CANCELLED``, ``TASK_PLANNING``,
    ``IDEMPOTENCY_KEY_REUSED``, ...)."""


class PayloadTooLarge(ApiError):
    """413 ``PAYLOAD_TOO_LARGE`` (a body over 512 KiB) or ``COMMIT_TOO_LARGE``."""


class UnsupportedMediaType(ApiError):
    """415 ``UNSUPPORTED_MEDIA_TYPE``: a body that is not JSON."""


class Unavailable(ApiError):
    """502, 503, 504: worth sending again later (``BUSY``, ``UPSTREAM_BUSY``,
    ``UPSTREAM_UNAVAILABLE``, ``UPSTREAM_TIMEOUT``, ``QUERY_TIMEOUT``, ``LIVE_STREAMS_FULL``,
    ``AUTH_KEYS_UNAVAILABLE``, ``NO_LEADER``, ...). A command answered 504 may have been applied:
    send it again with its idempotency key."""


class TaskWaitTimeout(VleTasksError):
    """``wait_for_task`` gave up: the Task had not finished within the timeout. ``last`` is the Task
    as last seen (None when it was never seen: absent, outside the token's scope, or not projected yet)."""

    def __init__(self, task_id: str, timeout: float, last: Optional[Mapping[str, Any]]) -> None:
        seen = f"last seen {last.get('status')}" if last is not None else "never seen"
        super().__init__(f"Task {task_id} did not finish within {timeout:g} s ({seen})")
        self.task_id = task_id
        self.timeout = timeout
        self.last = last


INVALID_TASK_CODES = frozenset({"DAG_CYCLE", "UNKNOWN_QUEUE", "UNKNOWN_DEPENDENCY", "DUPLICATE_KEY", "EMPTY_DAG", "INVALID_PARAMS", "UNKNOWN_TASK_TYPE", "INVALID_SCHEDULE"})
VALIDATION_CODES = frozenset({"VALIDATION_FAILED", "MALFORMED_JSON"})

_BY_STATUS: Mapping[int, type[ApiError]] = {
    401: Unauthenticated,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    413: PayloadTooLarge,
    415: UnsupportedMediaType,
    502: Unavailable,
    503: Unavailable,
    504: Unavailable,
}


def _family(status: int, code: str) -> type[ApiError]:
    if status == 400:
        return ValidationFailed if code in VALIDATION_CODES else InvalidTask if code in INVALID_TASK_CODES else BadRequest
    return _BY_STATUS.get(status, ApiError)


def _violation(value: Any) -> Optional[Violation]:
    if not isinstance(value, Mapping):
        return None
    v = cast(Mapping[str, Any], value)
    position = v.get("position")
    return Violation(str(v.get("field", "")), str(v.get("message", "")), position if isinstance(position, int) else None)


def api_error(status: int, body: Any, *, operation_id: str = "", retry_after: Optional[float] = None) -> ApiError:
    """The error of an answer with this status and (decoded JSON) body; a body that is no ErrorReply
    (a proxy's HTML page, say) still gives an error of the status's family, code ``HTTP_<status>``."""
    reply = cast(Mapping[str, Any], body) if isinstance(body, Mapping) else {}
    code, message, raw = reply.get("code"), reply.get("message"), reply.get("violations")
    if isinstance(code, str) and isinstance(message, str):
        found = [_violation(v) for v in cast(list[Any], raw)] if isinstance(raw, list) else []
        violations = [v for v in found if v is not None]
    else:
        code, message, violations = f"HTTP_{status}", (body if isinstance(body, str) and body else "the answer holds no error body")[:300], []
    return _family(status, code)(status, code, message, violations, operation_id=operation_id, retry_after=retry_after)
