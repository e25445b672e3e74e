"""The API's answers as TypedDicts, named as the API description names their schemas
(``components.schemas`` of GET /api/v1/openapi.json): the client returns the JSON as it came, and
these give it types. Keys are the API's (camelCase); absent values are None where the API says null,
keys marked NotRequired may be missing. ``MODEL_SCHEMAS`` maps each to its schema: the client's tests
compare the keys with the running API's description (tests/test_stack_api_description.py).

No ``from __future__ import annotations`` here: NotRequired must be seen when the class is made, or
``__required_keys__`` is wrong on Python 3.11.
"""

from typing import Any, Literal, Mapping, NotRequired, Optional, TypedDict

TaskStatus = Literal["planning", "scheduled", "queued", "running", "success", "warning", "failed", "cancelling", "cancelled", "timed_out"]
SubTaskStatus = Literal["blocked", "queued", "running", "retrying", "success", "failed", "cancelled", "skipped", "timed_out"]
AttemptOutcome = Literal["running", "succeeded", "retrying", "failed", "timed_out", "cancelled", "skipped"]
ObjectType = Literal["vm", "template", "event", "mail", "connection", "course"]

# A finished Task: wait_for_task returns at one of these. A failed Task may run again after a retry.
FINAL_STATUSES: frozenset[str] = frozenset({"success", "warning", "failed", "cancelled", "timed_out"})


class Violation(TypedDict):
    field: str
    message: str
    position: NotRequired[int]


class ErrorReplyBody(TypedDict):
    code: str
    message: str
    violations: NotRequired[list[Violation]]


class SubtaskCounts(TypedDict):
    total: int
    finished: int
    failed: int


class ChildrenSummary(TypedDict):
    total: int
    statuses: dict[str, int]


class TaskView(TypedDict):
    id: str
    name: str
    type: Optional[str]
    status: TaskStatus
    statusReason: Optional[str]
    progress: float
    createdBy: str
    eventId: Optional[str]
    objectType: Optional[str]
    objectId: Optional[str]
    originTaskId: Optional[str]
    startAt: Optional[str]
    startBefore: Optional[str]
    timeoutSeconds: Optional[int]
    startedAt: Optional[str]
    finishedAt: Optional[str]
    cancelRequested: bool
    manualIntervention: bool
    pinned: bool
    subtaskCounts: SubtaskCounts
    createdAt: str
    updatedAt: str
    version: int
    lastSeq: int


class TaskListItem(TaskView):
    children: ChildrenSummary


class SubTaskView(TypedDict):
    id: str
    key: str
    name: str
    action: str
    queue: str
    status: SubTaskStatus
    generation: int
    attempt: int
    failedAttempts: int
    executions: int
    jobId: Optional[str]
    objectType: Optional[str]
    objectId: Optional[str]
    params: Any
    dependsOn: list[str]
    bestEffort: bool
    timeoutSeconds: Optional[int]
    responseCode: Optional[str]
    responseMessage: Optional[str]
    nextAttemptAt: Optional[str]
    queuedAt: Optional[str]
    startedAt: Optional[str]
    finishedAt: Optional[str]
    createdAt: str
    updatedAt: str


class TaskDetailView(TaskListItem):
    # Absent for a token without sub_tasks_read.
    subtasks: NotRequired[list[SubTaskView]]


class TaskPage(TypedDict):
    items: list[TaskListItem]
    nextCursor: Optional[str]


class AttemptWorker(TypedDict):
    actor: str
    deliveryId: NotRequired[str]
    onBehalfOf: NotRequired[str]


class ReservedObject(TypedDict):
    objectType: str
    objectId: str


class AttemptView(TypedDict):
    subTaskId: str
    generation: int
    attempt: int
    startedAt: str
    finishedAt: NotRequired[str]
    durationMs: NotRequired[int]
    worker: AttemptWorker
    jobId: NotRequired[str]
    outcome: AttemptOutcome
    responseCode: NotRequired[str]
    responseMessage: NotRequired[str]
    nextAttemptAt: NotRequired[str]
    reserved: NotRequired[ReservedObject]


class ParentTask(TypedDict):
    id: str
    name: str
    status: str
    type: Optional[str]
    createdBy: str


class SubTaskDetailView(SubTaskView):
    createdBy: str
    parentTask: ParentTask
    attempts: list[AttemptView]


# `from` is a keyword: the functional form.
Change = TypedDict("Change", {"from": Any, "to": Any})


class EventChanges(TypedDict):
    task: NotRequired[dict[str, Change]]
    subTask: NotRequired[dict[str, Change]]


class HistoryEvent(TypedDict):
    seq: int
    index: int
    at: str
    type: str
    actor: str
    onBehalfOf: NotRequired[str]
    subTaskId: NotRequired[str]
    generation: NotRequired[int]
    attempt: NotRequired[int]
    changes: EventChanges


class TaskHistory(TypedDict):
    taskId: str
    events: list[HistoryEvent]
    # Absent without sub_tasks_read.
    attempts: NotRequired[list[AttemptView]]
    lastSeq: int
    nextAfterSeq: Optional[int]


class CreateTaskResult(TypedDict):
    taskId: str
    existing: bool
    status: TaskStatus
    subTaskIds: dict[str, str]


class TaskCommandResult(TypedDict):
    taskId: str
    status: TaskStatus
    # The types of the events it appended; empty when it was already applied.
    events: list[str]


class StatsTasks(TypedDict):
    total: int
    byStatus: dict[str, int]


class StatsBucket(TypedDict):
    start: str
    total: int
    byStatus: dict[str, int]


class QueueBacklog(TypedDict):
    queue: str
    blocked: int
    queued: int
    running: int
    retrying: int


class RetryTarget(TypedDict):
    taskId: str
    subTaskId: str


class FailureGroup(TypedDict):
    queue: str
    action: str
    responseCode: Optional[str]
    responseMessage: Optional[str]
    count: int
    retry: list[RetryTarget]
    retryTruncated: bool


class FailureGroups(TypedDict):
    total: int
    groupsTotal: int
    groups: list[FailureGroup]


# `from` is a keyword: the functional form.
StatsView = TypedDict(
    "StatsView",
    {
        "from": str,
        "to": str,
        "interval": Optional[Literal["hour", "day"]],
        "tasks": StatsTasks,
        "buckets": NotRequired[list[StatsBucket]],
        # With sub_tasks_read only.
        "backlog": NotRequired[list[QueueBacklog]],
        "failures": NotRequired[FailureGroups],
    },
)


class RetentionCount(TypedDict):
    status: str
    type: Optional[str]
    count: int


class RetentionPreviewCount(RetentionCount):
    oldestFinishedAt: str
    newestFinishedAt: str


class RetentionRule(TypedDict):
    match: str
    # None: never.
    days: Optional[int]


class RetentionSample(TypedDict):
    id: str
    name: str
    status: str
    type: Optional[str]
    finishedAt: str


class RetentionPreview(TypedDict):
    at: str
    enabled: bool
    total: int
    counts: list[RetentionPreviewCount]
    oldestFinishedAt: Optional[str]
    newestFinishedAt: Optional[str]
    samples: list[RetentionSample]
    policy: list[RetentionRule]


class RetentionRunResult(TypedDict):
    at: str
    enabled: bool
    deleted: int
    counts: list[RetentionCount]
    subTasks: int
    batches: int
    deferred: int
    durationMs: int


class JsonPayload(TypedDict):
    format: Literal["json"]
    value: Any
    size: int


class TextPayload(TypedDict):
    format: Literal["text"]
    preview: str
    size: int
    truncated: bool


class DeadLetterItem(TypedDict):
    seq: int
    at: str
    source: str
    subject: str
    code: str
    reason: str
    deliveries: NotRequired[int]
    taskId: NotRequired[str]
    subTaskId: NotRequired[str]
    queue: NotRequired[str]
    action: NotRequired[str]
    payload: JsonPayload | TextPayload


class DeadLetterPage(TypedDict):
    items: list[DeadLetterItem]
    nextBefore: Optional[int]
    scanned: int


class SourceCount(TypedDict):
    source: str
    count: int


class SourceCodeCount(SourceCount):
    code: str


class DeadLetterSummary(TypedDict):
    total: int
    firstSeq: int
    lastSeq: int
    counted: int
    complete: bool
    bySource: list[SourceCount]
    counts: list[SourceCodeCount]


class JobRepairStats(TypedDict):
    watched: int
    repaired: int
    confirmed: int
    handedOver: int
    lastError: NotRequired[str]


class ProjectionStatus(TypedDict):
    name: str
    running: bool
    leading: bool
    appliedSeq: int
    streamSeq: int
    lag: int
    batches: int
    commits: int
    events: int
    skippedCommits: int
    restarts: int
    lastBatchAt: NotRequired[str]
    lastError: NotRequired[str]
    jobRepair: NotRequired[JobRepairStats]


class PveNodeView(TypedDict):
    node: str
    status: str
    cpu: float
    maxCpu: int
    mem: int
    maxMem: int
    disk: int
    maxDisk: int
    uptime: int
    pveVersion: Optional[str]


class PveNodesResponse(TypedDict):
    syncedAt: Optional[str]
    taskId: Optional[str]
    nodes: list[PveNodeView]


class PveVmView(TypedDict):
    vmid: int
    name: Optional[str]
    node: str
    status: str
    template: bool
    lock: Optional[str]
    pool: Optional[str]
    maxCpu: int
    maxMem: int
    uptime: int


class PveVmsResponse(TypedDict):
    syncedAt: Optional[str]
    vms: list[PveVmView]


class TaskScope(TypedDict, total=False):
    own: Literal[True]
    events: list[str]


class MeView(TypedDict):
    subject: str
    permissions: list[str]
    scope: TaskScope
    expiresAt: NotRequired[str]


# Each model and the place of its schema in the API description: "Name" is components.schemas.Name,
# ".key" a property, "[]" the items of an array, "|n" the n-th of an anyOf. The keys must agree, and
# which are required (the test names each difference).
MODEL_SCHEMAS: Mapping[str, tuple[Any, str]] = {
    "Violation": (Violation, "Violation"),
    "ErrorReplyBody": (ErrorReplyBody, "ErrorReplyBody"),
    "TaskView": (TaskView, "TaskView"),
    "SubtaskCounts": (SubtaskCounts, "TaskView.subtaskCounts"),
    "ChildrenSummary": (ChildrenSummary, "ChildrenSummary"),
    "TaskListItem": (TaskListItem, "TaskListItem"),
    "TaskDetailView": (TaskDetailView, "TaskDetailView"),
    "TaskPage": (TaskPage, "TaskPage"),
    "SubTaskView": (SubTaskView, "SubTaskView"),
    "SubTaskDetailView": (SubTaskDetailView, "SubTaskDetailView"),
    "ParentTask": (ParentTask, "SubTaskDetailView.parentTask"),
    "AttemptView": (AttemptView, "AttemptView"),
    "AttemptWorker": (AttemptWorker, "AttemptView.worker"),
    "ReservedObject": (ReservedObject, "AttemptView.reserved"),
    "Change": (Change, "Change"),
    "EventChanges": (EventChanges, "EventChanges"),
    "HistoryEvent": (HistoryEvent, "HistoryEvent"),
    "TaskHistory": (TaskHistory, "TaskHistory"),
    "CreateTaskResult": (CreateTaskResult, "CreateTaskResult"),
    "TaskCommandResult": (TaskCommandResult, "TaskCommandResult"),
    "StatsView": (StatsView, "StatsView"),
    "StatsTasks": (StatsTasks, "StatsView.tasks"),
    "StatsBucket": (StatsBucket, "StatsBucket"),
    "QueueBacklog": (QueueBacklog, "QueueBacklog"),
    "FailureGroups": (FailureGroups, "FailureGroups"),
    "FailureGroup": (FailureGroup, "FailureGroup"),
    "RetryTarget": (RetryTarget, "FailureGroup.retry[]"),
    "RetentionPreview": (RetentionPreview, "RetentionPreview"),
    "RetentionPreviewCount": (RetentionPreviewCount, "RetentionPreview.counts[]"),
    "RetentionRule": (RetentionRule, "RetentionPreview.policy[]"),
    "RetentionSample": (RetentionSample, "RetentionPreview.samples[]"),
    "RetentionRunResult": (RetentionRunResult, "RetentionRunResult"),
    "RetentionCount": (RetentionCount, "RetentionCount"),
    "DeadLetterItem": (DeadLetterItem, "DeadLetterItem"),
    "JsonPayload": (JsonPayload, "DeadLetterPayload|0"),
    "TextPayload": (TextPayload, "DeadLetterPayload|1"),
    "DeadLetterPage": (DeadLetterPage, "DeadLetterPage"),
    "DeadLetterSummary": (DeadLetterSummary, "DeadLetterSummary"),
    "SourceCount": (SourceCount, "DeadLetterSummary.bySource[]"),
    "SourceCodeCount": (SourceCodeCount, "DeadLetterSummary.counts[]"),
    "JobRepairStats": (JobRepairStats, "JobRepairStats"),
    "ProjectionStatus": (ProjectionStatus, "ProjectionStatus"),
    "PveNodeView": (PveNodeView, "PveNodeView"),
    "PveNodesResponse": (PveNodesResponse, "PveNodesResponse"),
    "PveVmView": (PveVmView, "PveVmView"),
    "PveVmsResponse": (PveVmsResponse, "PveVmsResponse"),
    "TaskScope": (TaskScope, "MeView.scope"),
    "MeView": (MeView, "MeView"),
}
