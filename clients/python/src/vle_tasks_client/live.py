"""The live list (GET /api/v1/tasks/stream, server-sent events) followed with reconnects that resume
with Last-Event-ID, and waiting for one Task to finish: on the stream narrowed to it
(``q=id = <uuid>``), or by polling its detail when no stream can be had."""

import json
import logging
import time
from dataclasses import dataclass
from typing import Any, Callable, Generator, Literal, Optional, Union, cast

from .errors import ConnectionFailed, NotFound, RequestTimeout, TaskWaitTimeout, TransportError, Unavailable
from .filters import TaskFilter
from .models import FINAL_STATUSES, TaskDetailView, TaskView
from .routes import ROUTES
from .sse import SseParser
from .transport import Transport

__all__ = ["LiveEvent", "LiveKind", "follow", "wait_for_task"]

log = logging.getLogger("vle_tasks_client")

LiveKind = Literal["ready", "task", "leave", "reset", "expired", "closed"]

# The server sends a heartbeat every 15 s (PROJECTION_LIVE_HEARTBEAT_MS): three missed is a dead connection.
DEFAULT_IDLE_TIMEOUT_S = 45.0
# What the server asks for (`retry: 3000`) until it says otherwise.
DEFAULT_RECONNECT_DELAY_S = 3.0
_MAX_BACKOFF_S = 30.0


@dataclass(frozen=True)
class LiveEvent:
    """``ready`` {seq}: live (after the catch-up); ``task``: the Task as in the list, changed and
    matching; ``leave`` {id}: changed and no longer matching; ``reset`` {seq, reason}: too much changed
    meanwhile, load the list again; ``expired`` {code, message}: the token expired; ``closed``
    {reason}: the server ended the stream. ``id`` is the stream sequence (None on expired and closed)."""

    kind: str
    id: Optional[int]
    data: Any

    @property
    def task(self) -> Optional[TaskView]:
        return cast(TaskView, self.data) if self.kind == "task" else None

    @property
    def task_id(self) -> Optional[str]:
        """The Task a ``task`` or ``leave`` event is about."""
        if self.kind not in ("task", "leave") or not isinstance(self.data, dict):
            return None
        found = cast(dict[str, Any], self.data).get("id")
        return found if isinstance(found, str) else None


def _event_of(kind: str, data: str, event_id: Optional[int]) -> LiveEvent:
    try:
        value: Any = json.loads(data)
    except ValueError:
        value = data
    return LiveEvent(kind, event_id if kind not in ("expired", "closed") else None, value)


def _left(deadline: Optional[float]) -> float:
    return float("inf") if deadline is None else max(0.0, deadline - time.monotonic())


def _sleep(seconds: float, deadline: Optional[float]) -> bool:
    """Sleeps, but not past the deadline; False when the deadline came first."""
    if seconds >= _left(deadline):
        time.sleep(_left(deadline))
        return False
    time.sleep(seconds)
    return True


def follow(
    transport: Transport,
    filter: TaskFilter,
    *,
    last_event_id: Union[int, str, None] = None,
    reconnect: bool = True,
    timeout: Optional[float] = None,
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT_S,
    reconnect_delay: Optional[float] = None,
    max_failures: Optional[int] = None,
) -> Generator[LiveEvent, None, None]:
    """The events of the live list under ``filter``, as they come. A dropped or silent connection,
    and a stream the server closed or whose token expired, is opened again after the server's retry
    delay with Last-Event-ID: the stream first sends what changed meanwhile, then ``ready``. Opening
    it is tried again with a growing delay (up to 30 s) while it fails with a 5xx or no answer,
    ``max_failures`` times in a row at most (None: without end); a 4xx (401, 403, 400) is raised at
    once. Ends after ``timeout`` seconds if given; closing the generator closes the connection."""
    deadline = None if timeout is None else time.monotonic() + timeout
    cursor: Optional[int] = int(last_event_id) if last_event_id is not None else None
    failures = 0
    while _left(deadline) > 0:
        headers = {"Last-Event-ID": str(cursor)} if cursor is not None else {}
        try:
            stream = transport.open(ROUTES["streamTasks"], query=filter.query(), headers=headers, accept="text/event-stream", timeout=min(transport.timeout, _left(deadline)))
        except (TransportError, Unavailable) as error:
            failures += 1
            if not reconnect or (max_failures is not None and failures >= max_failures):
                raise
            delay = error.retry_after if isinstance(error, Unavailable) and error.retry_after else min(DEFAULT_RECONNECT_DELAY_S * 2 ** (failures - 1), _MAX_BACKOFF_S)
            log.warning("the live stream cannot be opened (%s); trying again in %.1f s", error, delay)
            if not _sleep(delay, deadline):
                return
            continue
        failures = 0
        parser = SseParser()
        with stream:
            while True:
                wait = min(idle_timeout, _left(deadline))
                if wait <= 0:
                    return
                try:
                    line = stream.readline(wait)
                except (RequestTimeout, ConnectionFailed) as error:
                    log.info("the live stream dropped: %s", error)
                    break
                if not line:
                    break
                sse = parser.feed(line)
                if sse is None:
                    continue
                event = _event_of(sse.event, sse.data, int(sse.id) if sse.id and sse.id.isdigit() else None)
                if event.id is not None:
                    cursor = event.id
                yield event
                if event.kind in ("expired", "closed"):
                    break
        if not reconnect:
            return
        delay = reconnect_delay if reconnect_delay is not None else (parser.retry_ms / 1000 if parser.retry_ms is not None else DEFAULT_RECONNECT_DELAY_S)
        log.info("reconnecting the live stream in %.1f s after event %s", delay, cursor)
        if not _sleep(delay, deadline):
            return


def _finished(task: TaskView) -> bool:
    return task["status"] in FINAL_STATUSES


def wait_for_task(
    transport: Transport,
    get_task: Callable[[str, float], TaskDetailView],
    task_id: str,
    timeout: float,
    *,
    live: bool = True,
    poll_interval: float = 1.0,
    until: Optional[Callable[[TaskView], bool]] = None,
) -> TaskDetailView:
    """The Task once it has finished (success, warning, failed, cancelled, timed_out), or once
    ``until`` holds for it, or TaskWaitTimeout after ``timeout`` seconds. Follows the live stream
    narrowed to the Task, looking at its detail whenever the stream is (again) live, so nothing
    between two looks is missed; when the stream cannot be opened, polls the detail every
    ``poll_interval`` seconds (growing to 5 s). A Task not found yet (not projected yet, or outside
    the token's scope) is waited for as well."""
    deadline = time.monotonic() + timeout
    last: Optional[Any] = None
    done = until or _finished

    def look() -> Optional[TaskDetailView]:
        nonlocal last
        try:
            seen = get_task(task_id, max(min(transport.timeout, _left(deadline)), 0.1))
        except NotFound:
            return None
        last = seen
        return seen if done(seen) else None

    if live:
        only = TaskFilter(q=f"id = {task_id}", silent=True)
        try:
            for event in follow(transport, only, timeout=_left(deadline), max_failures=1):
                if event.kind == "task" and event.task_id == task_id:
                    last = event.data
                    if done(event.data):
                        return look() or cast(TaskDetailView, event.data)
                elif event.kind in ("ready", "reset", "leave"):
                    seen = look()
                    if seen is not None:
                        return seen
            raise TaskWaitTimeout(task_id, timeout, last)
        except (TransportError, Unavailable) as error:
            log.info("following Task %s live failed (%s): polling it", task_id, error)
    interval = poll_interval
    while True:
        try:
            seen = look()
        except (TransportError, Unavailable) as error:
            log.info("polling Task %s: %s", task_id, error)
            seen = None
        if seen is not None:
            return seen
        if not _sleep(interval, deadline):
            raise TaskWaitTimeout(task_id, timeout, last)
        interval = min(interval * 1.5, 5.0)
