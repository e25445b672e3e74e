"""The running vle-tasks the stack tests use, from the environment (the e2e spec
test/python-client.e2e.spec.ts sets it; README.md, "Tests"):

    VLE_TASKS_URL                the one origin (the projection)
    VLE_TASKS_COMMANDS_URL       task-api's own origin (optional: commands then go through the one origin)
    VLE_TASKS_TOKEN              a token with every permission
    VLE_TASKS_READER_TOKEN       a token with tasks_read only
    VLE_TASKS_TEST_SANDBOX_URL   the sandbox (its SMTP sink's control API)
    VLE_TASKS_TEST_JWT_SECRET    the HS256 secret the stack verifies with, to mint short-lived tokens
    VLE_TASKS_TEST_DEAD_LETTER   the code of a dead letter the spec made before the suite (MALFORMED_JSON)

Without VLE_TASKS_URL every stack test is skipped, saying so.
"""

import base64
import hashlib
import hmac
import json
import os
import time
import unittest
import urllib.request
import uuid
from typing import Any, Optional, Sequence

from vle_tasks_client import CreateTask, SubTaskSpec, TasksClient
from vle_tasks_client.models import SubTaskView, TaskDetailView

URL = os.environ.get("VLE_TASKS_URL", "")
COMMANDS_URL = os.environ.get("VLE_TASKS_COMMANDS_URL") or None
TOKEN = os.environ.get("VLE_TASKS_TOKEN", "")
READER_TOKEN = os.environ.get("VLE_TASKS_READER_TOKEN", "")
SANDBOX_URL = os.environ.get("VLE_TASKS_TEST_SANDBOX_URL", "")
JWT_SECRET = os.environ.get("VLE_TASKS_TEST_JWT_SECRET", "")
DEAD_LETTER_CODE = os.environ.get("VLE_TASKS_TEST_DEAD_LETTER", "")

requires_stack = unittest.skipUnless(URL and TOKEN and READER_TOKEN, "VLE_TASKS_URL, VLE_TASKS_TOKEN and VLE_TASKS_READER_TOKEN are not set: no stack to test against")


def client(token: Any = None, **options: Any) -> TasksClient:
    """A client of the stack: the admin token, commands to task-api's own origin."""
    options.setdefault("commands_url", COMMANDS_URL)
    return TasksClient(options.pop("base_url", URL), token if token is not None else TOKEN, **options)


def subtasks(task: TaskDetailView) -> list[SubTaskView]:
    """The SubTasks of a Task read with sub_tasks_read."""
    if "subtasks" not in task:
        raise AssertionError(f"Task {task['id']} was read without its SubTasks")
    return task["subtasks"]


def reader() -> TasksClient:
    return client(READER_TOKEN)


def unique(prefix: str) -> str:
    """A name no other test run uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def bench(key: str, action: str = "noop", depends_on: Sequence[str] = (), **params: Any) -> SubTaskSpec:
    """A SubTask on the bench queue: noop, sleep {ms}, fail {failAttempts, failGenerations, permanent}."""
    return SubTaskSpec(key, key.upper(), action, "bench", depends_on=depends_on, params=params or None)


def diamond(name: str, **fields: Any) -> CreateTask:
    return CreateTask.dag(name, [bench("a"), bench("b", depends_on=["a"]), bench("c", depends_on=["a"]), bench("d", depends_on=["b", "c"])], **fields)


def sandbox(method: str, path: str, body: Optional[Any] = None) -> Any:
    """A call of the sandbox's control API (/_sandbox/smtp/...)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(SANDBOX_URL + path, data=data, method=method, headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
    return json.loads(text) if text else None


def mint(subject: str, permissions: Sequence[str], expires_in: int) -> str:
    """An HS256 token as OpenVLE's backend issues them (libs/auth mint-token.ts), for the expiry test."""
    if not JWT_SECRET:
        raise unittest.SkipTest("VLE_TASKS_TEST_JWT_SECRET is not set: cannot mint a short-lived token")

    def part(value: Any) -> str:
        return base64.urlsafe_b64encode(json.dumps(value, separators=(",", ":")).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"permissions": list(permissions), "sub": subject, "iss": "openvle", "aud": "vle-tasks", "iat": now, "exp": now + expires_in}
    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}"
    signature = hmac.new(JWT_SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"
