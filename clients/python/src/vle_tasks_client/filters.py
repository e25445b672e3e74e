"""The filters of the Task list, the live stream and the CSV export (README of the projection, "HTTP")."""

from dataclasses import dataclass, fields
from typing import Optional, Sequence, Union

from .times import TimeLike, api_time

__all__ = ["TaskFilter", "ListValue"]

# One value, or several (any of them): sent comma-separated.
ListValue = Union[str, Sequence[str]]


@dataclass(frozen=True)
class TaskFilter:
    """Every condition given must hold. ``q`` is a query of the search language
    (``status = failed and created_at > "2 hours ago"``); the others are the list's parameters."""

    q: Optional[str] = None
    # True: the scheduler's periodic Tasks that succeeded too (left out otherwise).
    silent: Optional[bool] = None
    status: Optional[ListValue] = None
    created_by: Optional[str] = None
    # Created at or after `from_`, before `to`; changed at or after `updated_since`.
    from_: Optional[TimeLike] = None
    to: Optional[TimeLike] = None
    updated_since: Optional[TimeLike] = None
    # A case-insensitive part of the name.
    name: Optional[str] = None
    type: Optional[ListValue] = None
    # With object_id: the object's type; alone: the type of the Task's own object.
    object_type: Optional[str] = None
    # An object the Task or any of its SubTasks is about.
    object_id: Optional[str] = None
    event_id: Optional[str] = None
    origin_task_id: Optional[str] = None
    # Of any of its SubTasks; both need sub_tasks_read.
    queue: Optional[ListValue] = None
    response_code: Optional[ListValue] = None

    def query(self) -> dict[str, str]:
        """The query parameters, by the API's names."""
        params: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is None:
                continue
            name = _API_NAMES.get(f.name, f.name)
            if isinstance(value, bool):
                params[name] = "true" if value else "false"
            elif f.name in _TIMES:
                params[name] = api_time(value, name)
            elif isinstance(value, (str, int)):
                params[name] = str(value)
            else:
                params[name] = ",".join(value)
        return params


_API_NAMES = {
    "created_by": "createdBy",
    "from_": "from",
    "updated_since": "updatedSince",
    "object_type": "objectType",
    "object_id": "objectId",
    "event_id": "eventId",
    "origin_task_id": "originTaskId",
    "response_code": "responseCode",
}
_TIMES = frozenset({"from_", "to", "updated_since"})
