"""What the stack cannot be made to do on demand, on local sockets: a server that never answers, a
port nobody listens on, and a scripted HTTP server for the retry policy (what is sent again after a
502/503/504 and what not), the two origins, a base path, and a silent live stream."""

import json
import socket
import threading
import time
import unittest
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from vle_tasks_client import ROUTES, ConnectionFailed, CreateTask, RequestTimeout, SubTaskSpec, TasksClient, Unauthenticated, Unavailable

DAG = CreateTask.dag("t", [SubTaskSpec("a", "A", "noop", "bench")])


class ScriptedServer:
    """Answers each request with the next (status, body, headers) of its script; keeps the requests."""

    def __init__(self, *script: tuple[int, Any, dict[str, str]]) -> None:
        self.script = list(script)
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.closing = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.answer()

            def answer(self) -> None:
                server.requests.append((self.command, self.path, dict(self.headers)))
                status, body, headers = server.script.pop(0)
                if status == 0:
                    # A live stream that sends `body` and then nothing, as a dead connection would.
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    self.wfile.write(body.encode())
                    self.wfile.flush()
                    server.closing.wait(10)
                    return
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


def error(code: str) -> dict[str, str]:
    return {"code": code, "message": code.lower()}


class Base(unittest.TestCase):
    def serve(self, *script: tuple[int, Any, dict[str, str]]) -> ScriptedServer:
        server = ScriptedServer(*script)
        self.addCleanup(server.close)
        return server


class Timeouts(Base):
    def test_a_server_that_never_answers_times_out(self) -> None:
        silent = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(silent.close)
        api = TasksClient(f"http://127.0.0.1:{silent.getsockname()[1]}", "t", timeout=0.3, retries=0)
        began = time.monotonic()
        with self.assertRaises(RequestTimeout) as timed_out:
            api.list_tasks()
        self.assertLess(time.monotonic() - began, 2.0)
        self.assertEqual(timed_out.exception.method, "GET")

    def test_a_port_nobody_listens_on_fails_to_connect(self) -> None:
        closed = socket.create_server(("127.0.0.1", 0))
        port = closed.getsockname()[1]
        closed.close()
        with self.assertRaises(ConnectionFailed):
            TasksClient(f"http://127.0.0.1:{port}", "t", retries=1).create_task(DAG)

    def test_the_timeout_of_one_call_wins(self) -> None:
        silent = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(silent.close)
        began = time.monotonic()
        with self.assertRaises(RequestTimeout):
            TasksClient(f"http://127.0.0.1:{silent.getsockname()[1]}", "t", timeout=30, retries=0).get_me(timeout=0.2)
        self.assertLess(time.monotonic() - began, 2.0)


class Retries(Base):
    def test_a_read_is_sent_again_after_a_503(self) -> None:
        server = self.serve((503, error("QUERY_TIMEOUT"), {}), (200, {"items": [], "nextCursor": None}, {}))
        self.assertEqual(TasksClient(server.url, "t").list_tasks()["items"], [])
        self.assertEqual(len(server.requests), 2)

    def test_a_read_gives_up_after_its_retries(self) -> None:
        server = self.serve(*[(503, error("QUERY_TIMEOUT"), {"Retry-After": "0"})] * 3)
        with self.assertRaises(Unavailable) as refused:
            TasksClient(server.url, "t", retries=2).list_tasks()
        self.assertEqual((refused.exception.code, len(server.requests)), ("QUERY_TIMEOUT", 3))

    def test_a_create_without_a_key_is_not_sent_twice(self) -> None:
        server = self.serve((502, error("UPSTREAM_UNAVAILABLE"), {}), (201, {}, {}))
        with self.assertRaises(Unavailable):
            TasksClient(server.url, "t").create_task(DAG)
        self.assertEqual(len(server.requests), 1)

    def test_a_create_with_a_key_is_sent_again(self) -> None:
        created = {"taskId": "x", "existing": True, "status": "queued", "subTaskIds": {}}
        server = self.serve((504, error("UPSTREAM_TIMEOUT"), {}), (200, created, {}))
        command = CreateTask.dag("t", DAG.subtasks, idempotency_key="k1")
        self.assertEqual(TasksClient(server.url, "t").create_task(command), created)
        self.assertEqual(len(server.requests), 2)

    def test_any_command_refused_busy_is_sent_again(self) -> None:
        result = {"taskId": "x", "status": "running", "events": ["SubTaskRetryRequested"]}
        server = self.serve((503, error("BUSY"), {"Retry-After": "0"}), (202, result, {}))
        self.assertEqual(TasksClient(server.url, "t").retry_subtask("x", "y"), result)
        self.assertEqual(len(server.requests), 2)

    def test_a_refused_token_is_not_sent_again(self) -> None:
        server = self.serve((401, error("UNAUTHENTICATED"), {"WWW-Authenticate": "Bearer"}))
        with self.assertRaises(Unauthenticated):
            TasksClient(server.url, "t").get_me()
        self.assertEqual(len(server.requests), 1)


class Origins(Base):
    def test_commands_go_to_the_commands_origin_and_reads_to_the_base(self) -> None:
        reads = self.serve((200, {"items": [], "nextCursor": None}, {}))
        commands = self.serve((202, {"taskId": "a b", "status": "cancelled", "events": []}, {}))
        api = TasksClient(reads.url + "/tasks/", "the-token", commands_url=commands.url)
        api.list_tasks("name ~ x")
        api.cancel_task("a b", reason="r")
        (method, path, headers), = reads.requests
        self.assertEqual((method, path), ("GET", "/tasks/api/v1/tasks?q=name+~+x"))
        self.assertEqual(headers["Authorization"], "Bearer the-token")
        (method, path, headers), = commands.requests
        self.assertEqual((method, path, headers["Content-Type"]), ("POST", "/api/v1/tasks/a%20b/cancel", "application/json"))

    def test_a_bad_base_url_or_parameter_is_refused_before_sending(self) -> None:
        with self.assertRaises(ValueError):
            TasksClient("ftp://example.org", "t")
        with self.assertRaises(ValueError):
            TasksClient("http://user:secret@example.org", "t")
        with self.assertRaisesRegex(ValueError, "getTask takes no query parameter"):
            TasksClient("http://127.0.0.1:9", "t")._http.request(ROUTES["getTask"], path={"id": "x"}, query={"q": "y"})


class ASilentStream(Base):
    def test_is_dropped_after_the_idle_timeout_and_resumed_after_its_last_id(self) -> None:
        first = "retry: 50\n\nid: 5\nevent: ready\ndata: {\"seq\":5}\n\n"
        server = self.serve((0, first, {}), (0, "id: 6\nevent: ready\ndata: {\"seq\":6}\n\n", {}))
        events = TasksClient(server.url, "t").follow(idle_timeout=0.3)
        self.assertEqual((next(events).id, next(events).id), (5, 6))
        events.close()
        self.assertNotIn("Last-Event-ID", server.requests[0][2])
        self.assertEqual(server.requests[1][2]["Last-Event-ID"], "5")


if __name__ == "__main__":
    unittest.main()
