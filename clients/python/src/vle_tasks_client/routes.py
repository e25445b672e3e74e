"""The routes of the API this client implements, by operationId, as the API description names them
(GET /api/v1/openapi.json; services/projection/src/openapi/openapi-document.ts in vle-tasks).

Every request of the client is made through this table, so it is what the client calls. The test
command of vle-tasks compares it with the description's operations (clients/python/test/
python-client.e2e.spec.ts): a route the client neither implements nor lists in ``OMITTED`` with a
reason, a route that no longer exists, or another method, path or parameter fails it, naming the
operation. ``print_table()`` prints the table as JSON for that check.
"""

import json
import sys
from dataclasses import asdict, dataclass
from typing import Literal, Mapping
from urllib.parse import quote

__all__ = ["Route", "ROUTES", "OMITTED", "LIST_FILTERS"]

# The list's filters, taken alike by the list, the live stream and the export.
LIST_FILTERS = ("q", "silent", "status", "createdBy", "from", "to", "updatedSince", "name", "type", "objectType", "objectId", "eventId", "originTaskId", "queue", "responseCode")


@dataclass(frozen=True)
class Route:
    operation_id: str
    method: Literal["GET", "POST"]
    # OpenAPI's template: /api/v1/tasks/{id}
    path: str
    # The query parameters the route takes, every one of which the client can send.
    query: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    # A command: task-api serves it (the one origin forwards it), so it goes to the commands base URL.
    command: bool = False

    def expand(self, **path_params: str) -> str:
        """The path with each ``{name}`` replaced by its value, escaped as one path segment."""
        path = self.path
        for name, value in path_params.items():
            placeholder = "{" + name + "}"
            if placeholder not in path:
                raise ValueError(f"{self.operation_id}: the path {self.path} has no {placeholder}")
            path = path.replace(placeholder, quote(str(value), safe=""))
        if "{" in path:
            raise ValueError(f"{self.operation_id}: a path parameter of {self.path} is missing")
        return path


def _routes(*routes: Route) -> Mapping[str, Route]:
    return {r.operation_id: r for r in routes}


ROUTES: Mapping[str, Route] = _routes(
    Route("listTasks", "GET", "/api/v1/tasks", (*LIST_FILTERS, "limit", "cursor")),
    Route("streamTasks", "GET", "/api/v1/tasks/stream", LIST_FILTERS, ("Last-Event-ID",)),
    Route("exportTasks", "GET", "/api/v1/tasks/export.csv", (*LIST_FILTERS, "limit", "subtasks")),
    Route("getTask", "GET", "/api/v1/tasks/{id}"),
    Route("getTaskHistory", "GET", "/api/v1/tasks/{id}/history", ("afterSeq", "limit")),
    Route("getSubTask", "GET", "/api/v1/tasks/{id}/subtasks/{subTaskId}"),
    Route("getTaskReport", "GET", "/api/v1/tasks/{id}/report.html"),
    Route("getStats", "GET", "/api/v1/stats", ("from", "to", "interval")),
    Route("previewRetention", "GET", "/api/v1/retention/preview", ("at",)),
    Route("runRetention", "POST", "/api/v1/retention/run", ("at",)),
    Route("listDeadLetters", "GET", "/api/v1/dead-letters", ("before", "limit", "source", "code", "since", "until")),
    Route("summarizeDeadLetters", "GET", "/api/v1/dead-letters/summary"),
    Route("getDeadLetter", "GET", "/api/v1/dead-letters/{seq}"),
    Route("getProjectionStatus", "GET", "/api/v1/projection/status"),
    Route("listProxmoxNodes", "GET", "/api/v1/proxmox/nodes"),
    Route("listProxmoxVms", "GET", "/api/v1/proxmox/vms", ("node", "template", "status", "pool")),
    Route("getProxmoxVm", "GET", "/api/v1/proxmox/vms/{vmid}"),
    Route("getMe", "GET", "/api/v1/me"),
    Route("getApiDescription", "GET", "/api/v1/openapi.json"),
    Route("createTask", "POST", "/api/v1/tasks", command=True),
    Route("retrySubTask", "POST", "/api/v1/tasks/{taskId}/subtasks/{subTaskId}/retry", command=True),
    Route("skipSubTask", "POST", "/api/v1/tasks/{taskId}/subtasks/{subTaskId}/skip", command=True),
    Route("cancelTask", "POST", "/api/v1/tasks/{taskId}/cancel", command=True),
    Route("pinTask", "POST", "/api/v1/tasks/{taskId}/pin", command=True),
    Route("unpinTask", "POST", "/api/v1/tasks/{taskId}/unpin", command=True),
)

# Operations of the description the client deliberately does not offer, with the reason.
OMITTED: Mapping[str, str] = {
    "live": "each service's own liveness probe for its orchestrator, on its own port, not part of the API a client uses",
    "ready": "each service's own readiness probe for its orchestrator, on its own port, not part of the API a client uses",
}


def print_table() -> None:
    """The table as JSON on stdout, for the route check of vle-tasks' test command."""
    table = {"routes": [asdict(r) for r in ROUTES.values()], "omitted": dict(OMITTED)}
    json.dump(table, sys.stdout, indent=2)
    sys.stdout.write("\n")
