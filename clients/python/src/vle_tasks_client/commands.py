"""The bodies of the commands (proto/vle/tasks/v1/commands.proto as JSON, camelCase).

A Task is created either from a typed command (``type`` and its ``params``: the domain plans the
SubTasks, e.g. ``vm.clone`` with ``count`` 30) or from an explicit DAG of SubTasks. The client checks
only what it must to build the JSON; the API checks the rest and names each bad field.
"""

from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

from .models import ObjectType
from .times import TimeLike, api_time

__all__ = ["SubTaskSpec", "CreateTask"]


def _without_none(body: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if v is not None}


@dataclass(frozen=True)
class SubTaskSpec:
    """One step of a DAG. ``key`` names it inside its Task; ``depends_on`` lists keys of the same Task."""

    key: str
    name: str
    action: str
    # One of the queues (pve_vm_clone, pve_vm_actions, mails, guacamole, moodle, core_periodic, ...).
    queue: str
    depends_on: Sequence[str] = ()
    # Free parameters for the worker; keys that look like secrets are redacted before they are stored.
    params: Optional[Mapping[str, Any]] = None
    object_type: Optional[ObjectType] = None
    object_id: Optional[str] = None
    # A failed best-effort step does not fail its Task (the Task ends `warning`).
    best_effort: bool = False
    # Upper bound of one attempt; None takes the queue's default.
    timeout_seconds: Optional[int] = None

    def to_json(self) -> dict[str, Any]:
        return _without_none({
            "key": self.key,
            "name": self.name,
            "action": self.action,
            "queue": self.queue,
            "dependsOn": list(self.depends_on) or None,
            "params": dict(self.params) if self.params is not None else None,
            "objectType": self.object_type,
            "objectId": self.object_id,
            "bestEffort": self.best_effort or None,
            "timeoutSeconds": self.timeout_seconds,
        })


@dataclass(frozen=True)
class CreateTask:
    """The create command. Build it with ``CreateTask.typed(...)`` or ``CreateTask.dag(...)``."""

    name: Optional[str] = None
    type: Optional[str] = None
    params: Optional[Mapping[str, Any]] = None
    subtasks: Sequence[SubTaskSpec] = field(default_factory=tuple)
    # The user the Task is for: the token's subject by default; another user needs tasks_act_for_users.
    created_by: Optional[str] = None
    event_id: Optional[str] = None
    object_type: Optional[ObjectType] = None
    object_id: Optional[str] = None
    # The same key (per creator) always names the same Task: send it again safely after a lost answer.
    idempotency_key: Optional[str] = None
    origin_task_id: Optional[str] = None
    start_at: Optional[TimeLike] = None
    start_before: Optional[TimeLike] = None
    # The Task's deadline once it runs, in seconds.
    timeout_seconds: Optional[int] = None

    @classmethod
    def typed(cls, type: str, params: Optional[Mapping[str, Any]] = None, **fields: Any) -> "CreateTask":
        """A typed command: ``CreateTask.typed("mail.send", {"to": [...], "subject": ..., "text": ...})``."""
        if not type:
            raise ValueError("type: a typed command needs its type (vm.clone, mail.send, ...)")
        return cls(type=type, params=params if params is not None else {}, **fields)

    @classmethod
    def dag(cls, name: str, subtasks: Sequence[SubTaskSpec], **fields: Any) -> "CreateTask":
        """An explicit DAG of SubTasks."""
        if not subtasks:
            raise ValueError("subtasks: a DAG needs at least one SubTask")
        return cls(name=name, subtasks=tuple(subtasks), **fields)

    def to_json(self) -> dict[str, Any]:
        return _without_none({
            "name": self.name,
            "type": self.type,
            "params": dict(self.params) if self.params is not None else None,
            "subtasks": [s.to_json() for s in self.subtasks] or None,
            "createdBy": self.created_by,
            "eventId": self.event_id,
            "objectType": self.object_type,
            "objectId": self.object_id,
            "idempotencyKey": self.idempotency_key,
            "originTaskId": self.origin_task_id,
            "startAt": api_time(self.start_at, "startAt") if self.start_at is not None else None,
            "startBefore": api_time(self.start_before, "startBefore") if self.start_before is not None else None,
            "timeoutSeconds": self.timeout_seconds,
        })
