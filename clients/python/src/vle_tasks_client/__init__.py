"""vle_tasks_client: a client of vle-tasks, the task system of OpenVLE, over HTTP, on the standard
library only. Start with ``TasksClient`` (README.md beside the package says how)."""

from .client import TasksClient
from .commands import CreateTask, SubTaskSpec
from .errors import (
    ApiError,
    BadRequest,
    Conflict,
    ConnectionFailed,
    Forbidden,
    InvalidTask,
    NotFound,
    PayloadTooLarge,
    RequestTimeout,
    TaskWaitTimeout,
    TransportError,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
    Violation,
    VleTasksError,
)
from .filters import TaskFilter
from .live import LiveEvent
from .models import FINAL_STATUSES
from .routes import OMITTED, ROUTES, Route
from .version import __version__

__all__ = [
    "TasksClient",
    "CreateTask",
    "SubTaskSpec",
    "TaskFilter",
    "LiveEvent",
    "FINAL_STATUSES",
    "Route",
    "ROUTES",
    "OMITTED",
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
    "__version__",
]
