"""TasksClient: every operation of the API a service uses, one method each (routes.py lists them)."""

import ssl
from typing import Any, Callable, Generator, Iterator, Mapping, Optional, Union, cast

from .commands import CreateTask
from .filters import ListValue, TaskFilter
from .live import DEFAULT_IDLE_TIMEOUT_S, LiveEvent, follow, wait_for_task
from .models import (
    CreateTaskResult,
    DeadLetterItem,
    DeadLetterPage,
    DeadLetterSummary,
    MeView,
    ProjectionStatus,
    PveNodesResponse,
    PveVmsResponse,
    PveVmView,
    RetentionPreview,
    RetentionRunResult,
    StatsView,
    SubTaskDetailView,
    TaskCommandResult,
    TaskDetailView,
    TaskHistory,
    TaskListItem,
    TaskPage,
    TaskView,
)
from .routes import ROUTES
from .times import TimeLike, api_time
from .transport import TokenSource, Transport

__all__ = ["TasksClient"]

# A filter, or a query of the search language alone.
FilterLike = Union[TaskFilter, str, None]


def _filter(value: FilterLike) -> TaskFilter:
    return TaskFilter(q=value) if isinstance(value, str) else value or TaskFilter()


def _opt(value: Optional[object]) -> Optional[str]:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _time(value: Optional[TimeLike], field: str) -> Optional[str]:
    return None if value is None else api_time(value, field)


def _list(value: Optional[ListValue]) -> Optional[str]:
    return None if value is None else value if isinstance(value, str) else ",".join(value)


def _body(**fields: Optional[str]) -> dict[str, str]:
    return {k: v for k, v in fields.items() if v is not None}


class TasksClient:
    """A client of vle-tasks over HTTP.

    ``base_url`` is the one origin (the projection: reads, the live stream, and the commands it
    forwards to task-api); ``commands_url`` sends the commands to task-api itself where it has an
    origin of its own. ``token`` is the bearer JWT, or a function returning the current one.
    ``timeout`` bounds connecting and each read of every request, in seconds; ``retries`` is how
    often a request is sent again when that is safe (transport.py says when)."""

    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        *,
        commands_url: Optional[str] = None,
        timeout: float = 10.0,
        retries: int = 2,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        self._http = Transport(base_url, token, commands_url=commands_url, timeout=timeout, retries=retries, ssl_context=ssl_context)

    def __repr__(self) -> str:
        return f"TasksClient({self._http!r})"

    # Commands (task-api)

    def create_task(self, command: Union[CreateTask, Mapping[str, Any]], *, timeout: Optional[float] = None) -> CreateTaskResult:
        """Creates a Task from a typed command or a DAG; ``existing`` is true when its idempotency key
        named a Task made before. Sent again after a lost answer only with an idempotency key."""
        body = command.to_json() if isinstance(command, CreateTask) else dict(command)
        return cast(CreateTaskResult, self._http.json(ROUTES["createTask"], body=body, timeout=timeout, idempotent=bool(body.get("idempotencyKey"))))

    def retry_subtask(self, task_id: str, subtask_id: str, *, requested_by: Optional[str] = None, timeout: Optional[float] = None) -> TaskCommandResult:
        """Runs a failed SubTask again (within the retry window); what waited behind it follows."""
        return cast(TaskCommandResult, self._http.json(ROUTES["retrySubTask"], path={"taskId": task_id, "subTaskId": subtask_id}, body=_body(requestedBy=requested_by), timeout=timeout))

    def skip_subtask(self, task_id: str, subtask_id: str, *, reason: Optional[str] = None, requested_by: Optional[str] = None, timeout: Optional[float] = None) -> TaskCommandResult:
        """Lets the Task go on without a failed or waiting SubTask (the Task ends warning at best)."""
        return cast(TaskCommandResult, self._http.json(ROUTES["skipSubTask"], path={"taskId": task_id, "subTaskId": subtask_id}, body=_body(requestedBy=requested_by, reason=reason), timeout=timeout))

    def cancel_task(self, task_id: str, *, reason: Optional[str] = None, requested_by: Optional[str] = None, timeout: Optional[float] = None) -> TaskCommandResult:
        """Cancels a Task: steps not running are cancelled at once, running ones when they end."""
        return cast(TaskCommandResult, self._http.json(ROUTES["cancelTask"], path={"taskId": task_id}, body=_body(requestedBy=requested_by, reason=reason), timeout=timeout, idempotent=True))

    def pin_task(self, task_id: str, *, reason: Optional[str] = None, requested_by: Optional[str] = None, timeout: Optional[float] = None) -> TaskCommandResult:
        """Keeps a Task from the retention until it is unpinned."""
        return cast(TaskCommandResult, self._http.json(ROUTES["pinTask"], path={"taskId": task_id}, body=_body(requestedBy=requested_by, reason=reason), timeout=timeout, idempotent=True))

    def unpin_task(self, task_id: str, *, reason: Optional[str] = None, requested_by: Optional[str] = None, timeout: Optional[float] = None) -> TaskCommandResult:
        return cast(TaskCommandResult, self._http.json(ROUTES["unpinTask"], path={"taskId": task_id}, body=_body(requestedBy=requested_by, reason=reason), timeout=timeout, idempotent=True))

    # A Task

    def get_task(self, task_id: str, *, timeout: Optional[float] = None) -> TaskDetailView:
        """The Task with its children and (with sub_tasks_read) its SubTasks; NotFound also for one
        outside the token's scope, and for one just created that the read model does not hold yet."""
        return cast(TaskDetailView, self._http.json(ROUTES["getTask"], path={"id": task_id}, timeout=timeout))

    def get_subtask(self, task_id: str, subtask_id: str, *, timeout: Optional[float] = None) -> SubTaskDetailView:
        """One SubTask with its parent Task and every attempt (needs sub_tasks_read)."""
        return cast(SubTaskDetailView, self._http.json(ROUTES["getSubTask"], path={"id": task_id, "subTaskId": subtask_id}, timeout=timeout))

    def get_history(self, task_id: str, *, after_seq: Optional[int] = None, limit: Optional[int] = None, timeout: Optional[float] = None) -> TaskHistory:
        """One page of the Task's events and attempts, read from the event log."""
        query = {"afterSeq": _opt(after_seq), "limit": _opt(limit)}
        return cast(TaskHistory, self._http.json(ROUTES["getTaskHistory"], path={"id": task_id}, query=query, timeout=timeout))

    def iter_history(self, task_id: str, *, limit: Optional[int] = None, timeout: Optional[float] = None) -> Iterator[TaskHistory]:
        """Every page of the history, in log order."""
        after: Optional[int] = None
        while True:
            page = self.get_history(task_id, after_seq=after, limit=limit, timeout=timeout)
            yield page
            after = page["nextAfterSeq"]
            if after is None:
                return

    def get_report_html(self, task_id: str, *, timeout: Optional[float] = None) -> str:
        """The Task and its history as a self-contained HTML page."""
        return self._http.request(ROUTES["getTaskReport"], path={"id": task_id}, accept="text/html", timeout=timeout).text()

    def wait_for_task(self, task_id: str, timeout: float, *, live: bool = True, poll_interval: float = 1.0, until: Optional[Callable[[TaskView], bool]] = None) -> TaskDetailView:
        """The Task once finished (success, warning, failed, cancelled, timed_out), or once ``until``
        holds for it, following it live (``live=False``: polling only); TaskWaitTimeout after
        ``timeout`` seconds. The read model follows the log a moment behind: after a retry or a skip
        of a failed Task, wait ``until=lambda t: t["manualIntervention"] and t["status"] in
        FINAL_STATUSES``, or the first look may still see it failed."""
        return wait_for_task(self._http, lambda id, seconds: self.get_task(id, timeout=seconds), task_id, timeout, live=live, poll_interval=poll_interval, until=until)

    # The list

    def list_tasks(self, filter: FilterLike = None, *, limit: Optional[int] = None, cursor: Optional[str] = None, timeout: Optional[float] = None) -> TaskPage:
        """One page of the Tasks, newest first; ``filter`` is a TaskFilter or a query of the search
        language. A bad query is ValidationFailed whose ``position`` says where."""
        query = {**_filter(filter).query(), "limit": _opt(limit), "cursor": cursor}
        return cast(TaskPage, self._http.json(ROUTES["listTasks"], query=query, timeout=timeout))

    def iter_pages(self, filter: FilterLike = None, *, limit: Optional[int] = None, timeout: Optional[float] = None) -> Iterator[TaskPage]:
        """The pages of the list one after the other (keyset paging on nextCursor)."""
        cursor: Optional[str] = None
        while True:
            page = self.list_tasks(filter, limit=limit, cursor=cursor, timeout=timeout)
            yield page
            cursor = page["nextCursor"]
            if cursor is None:
                return

    def iter_tasks(self, filter: FilterLike = None, *, page_size: Optional[int] = None, timeout: Optional[float] = None) -> Iterator[TaskListItem]:
        """Every Task of the list, newest first, page after page."""
        for page in self.iter_pages(filter, limit=page_size, timeout=timeout):
            yield from page["items"]

    def export_csv(self, filter: FilterLike = None, *, subtasks: bool = False, limit: Optional[int] = None, timeout: Optional[float] = None, chunk_size: int = 1 << 16) -> Generator[bytes, None, None]:
        """The list as CSV (RFC 4180, UTF-8), streamed in chunks as the server writes it; a cut
        export ends with a record whose first cell is ``# truncated``. ``subtasks``: a row per SubTask."""
        query = {**_filter(filter).query(), "subtasks": "true" if subtasks else None, "limit": _opt(limit)}
        seconds = self._http.timeout if timeout is None else timeout
        with self._http.open(ROUTES["exportTasks"], query=query, accept="text/csv", timeout=seconds) as stream:
            while chunk := stream.read(chunk_size, seconds):
                yield chunk

    def follow(
        self,
        filter: FilterLike = None,
        *,
        last_event_id: Union[int, str, None] = None,
        reconnect: bool = True,
        timeout: Optional[float] = None,
        idle_timeout: float = DEFAULT_IDLE_TIMEOUT_S,
        reconnect_delay: Optional[float] = None,
        max_failures: Optional[int] = None,
    ) -> Generator[LiveEvent, None, None]:
        """The live list under ``filter``: every change as a LiveEvent, reconnecting with
        Last-Event-ID (live.py, ``follow``)."""
        return follow(self._http, _filter(filter), last_event_id=last_event_id, reconnect=reconnect, timeout=timeout, idle_timeout=idle_timeout, reconnect_delay=reconnect_delay, max_failures=max_failures)

    def follow_task(self, task_id: str, **options: Any) -> Generator[LiveEvent, None, None]:
        """The changes of one Task (the stream narrowed by ``id = <task_id>``)."""
        return self.follow(TaskFilter(q=f"id = {task_id}", silent=True), **options)

    def get_stats(self, *, from_: Optional[TimeLike] = None, to: Optional[TimeLike] = None, interval: Optional[str] = None, timeout: Optional[float] = None) -> StatsView:
        """Tasks created in [from_, to) by status; with sub_tasks_read the backlog and failures."""
        query = {"from": _time(from_, "from"), "to": _time(to, "to"), "interval": interval}
        return cast(StatsView, self._http.json(ROUTES["getStats"], query=query, timeout=timeout))

    # Administration (tasks_admin)

    def preview_retention(self, *, at: Optional[TimeLike] = None, timeout: Optional[float] = None) -> RetentionPreview:
        """What a retention run would delete, as of ``at`` (now by default): the dry run."""
        return cast(RetentionPreview, self._http.json(ROUTES["previewRetention"], query={"at": _time(at, "at")}, timeout=timeout))

    def run_retention(self, *, at: Optional[TimeLike] = None, timeout: Optional[float] = None) -> RetentionRunResult:
        """Runs the retention now, on the projection's leader: deletes finished Tasks past the policy."""
        return cast(RetentionRunResult, self._http.json(ROUTES["runRetention"], query={"at": _time(at, "at")}, timeout=timeout, idempotent=True))

    def list_dead_letters(
        self,
        *,
        source: Optional[ListValue] = None,
        code: Optional[str] = None,
        since: Optional[TimeLike] = None,
        until: Optional[TimeLike] = None,
        before: Optional[int] = None,
        limit: Optional[int] = None,
        timeout: Optional[float] = None,
    ) -> DeadLetterPage:
        """One page of dead letters, newest first (a page looks at 2048 sequences at most, so a sparse
        filter may give fewer items than ``limit`` and a ``nextBefore`` to go on from)."""
        query = {"source": _list(source), "code": code, "since": _time(since, "since"), "until": _time(until, "until"), "before": _opt(before), "limit": _opt(limit)}
        return cast(DeadLetterPage, self._http.json(ROUTES["listDeadLetters"], query=query, timeout=timeout))

    def iter_dead_letters(self, *, limit: Optional[int] = None, timeout: Optional[float] = None, **filters: Any) -> Iterator[DeadLetterItem]:
        """Every dead letter under the filters of ``list_dead_letters``, newest first."""
        before: Optional[int] = None
        while True:
            page = self.list_dead_letters(before=before, limit=limit, timeout=timeout, **filters)
            yield from page["items"]
            before = page["nextBefore"]
            if before is None:
                return

    def get_dead_letter(self, seq: int, *, timeout: Optional[float] = None) -> DeadLetterItem:
        return cast(DeadLetterItem, self._http.json(ROUTES["getDeadLetter"], path={"seq": str(seq)}, timeout=timeout))

    def summarize_dead_letters(self, *, timeout: Optional[float] = None) -> DeadLetterSummary:
        return cast(DeadLetterSummary, self._http.json(ROUTES["summarizeDeadLetters"], timeout=timeout))

    def get_projection_status(self, *, timeout: Optional[float] = None) -> ProjectionStatus:
        return cast(ProjectionStatus, self._http.json(ROUTES["getProjectionStatus"], timeout=timeout))

    # The Proxmox inventory of the last node sync (inventory_read)

    def list_proxmox_nodes(self, *, timeout: Optional[float] = None) -> PveNodesResponse:
        return cast(PveNodesResponse, self._http.json(ROUTES["listProxmoxNodes"], timeout=timeout))

    def list_proxmox_vms(self, *, node: Optional[str] = None, template: Optional[bool] = None, status: Optional[str] = None, pool: Optional[str] = None, timeout: Optional[float] = None) -> PveVmsResponse:
        query = {"node": node, "template": _opt(template), "status": status, "pool": pool}
        return cast(PveVmsResponse, self._http.json(ROUTES["listProxmoxVms"], query=query, timeout=timeout))

    def get_proxmox_vm(self, vmid: int, *, timeout: Optional[float] = None) -> PveVmView:
        return cast(PveVmView, self._http.json(ROUTES["getProxmoxVm"], path={"vmid": str(vmid)}, timeout=timeout))

    # The caller and the API

    def get_me(self, *, timeout: Optional[float] = None) -> MeView:
        """The caller as the API verified its token: subject, permissions, scope, expiry."""
        return cast(MeView, self._http.json(ROUTES["getMe"], timeout=timeout))

    def get_api_description(self, *, timeout: Optional[float] = None) -> dict[str, Any]:
        """The API description (OpenAPI 3.1)."""
        return cast(dict[str, Any], self._http.json(ROUTES["getApiDescription"], timeout=timeout))

