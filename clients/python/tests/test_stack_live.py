"""The live stream and waiting against the running stack: a status change seen as it happens, a
dropped connection resumed with Last-Event-ID, an expired token replaced, a refused stream typed,
waiting by polling when no stream can be had, and a wait that times out."""

import time
import unittest
from typing import Iterator

from vle_tasks_client import CreateTask, Forbidden, LiveEvent, TaskFilter, TaskWaitTimeout

from .proxy import CuttableProxy
from .stack import URL, bench, client, mint, reader, requires_stack, unique


def until_ready(events: Iterator[LiveEvent]) -> list[LiveEvent]:
    """The events up to and with the next ``ready``."""
    seen = []
    for event in events:
        seen.append(event)
        if event.kind == "ready":
            return seen
    raise AssertionError(f"the stream ended before it was ready: {[e.kind for e in seen]}")


@requires_stack
class FollowingTheList(unittest.TestCase):
    def test_a_task_is_seen_changing_until_it_ends(self) -> None:
        api = client()
        name = unique("py-live")
        events = api.follow(TaskFilter(name=name), timeout=30)
        until_ready(events)
        created = api.create_task(CreateTask.dag(name, [bench("a", "sleep", ms=400), bench("b", depends_on=["a"])]))
        statuses, ids = [], []
        for event in events:
            self.assertEqual((event.kind, event.task_id), ("task", created["taskId"]))
            statuses.append(event.data["status"])
            ids.append(event.id)
            if event.data["status"] == "success":
                break
        events.close()
        self.assertIn("running", statuses)
        self.assertEqual(statuses[-1], "success")
        self.assertEqual(ids, sorted(ids))

    def test_a_dropped_connection_resumes_with_last_event_id(self) -> None:
        api = client()
        proxy = CuttableProxy(URL)
        self.addCleanup(proxy.close)
        name = unique("py-resume")
        events = client(base_url=proxy.url).follow(TaskFilter(name=name), timeout=30, reconnect_delay=0.1)
        until_ready(events)
        first = api.create_task(CreateTask.dag(f"{name}-1", [bench("a")]))
        last_id = None
        for event in events:
            last_id = event.id
            if event.task and event.task["status"] == "success":
                break
        # Cut while nothing streams, and keep the stream away until the second Task has ended.
        proxy.cut(hold=True)
        second = api.create_task(CreateTask.dag(f"{name}-2", [bench("a")]))
        api.wait_for_task(second["taskId"], 30)
        proxy.release()
        caught_up = until_ready(events)
        events.close()
        self.assertIn(f"Last-Event-ID: {last_id}", proxy.stream_requests()[-1])
        tasks = {e.task_id: e.data["status"] for e in caught_up if e.kind == "task"}
        self.assertEqual(tasks.get(second["taskId"]), "success")
        self.assertNotIn(first["taskId"], tasks)

    def test_an_expired_token_is_replaced_and_the_stream_goes_on(self) -> None:
        tokens = [mint("py-live-expiry", ["tasks_read"], expires_in=2)]

        def token() -> str:
            # The first call gets the short one; every later one a fresh token.
            return tokens.pop(0) if tokens else mint("py-live-expiry", ["tasks_read"], expires_in=600)

        name = unique("py-expiry")
        events = client(token).follow(TaskFilter(name=name), timeout=30, reconnect_delay=0.1)
        until_ready(events)
        kinds = [e.kind for e in until_ready(events)]
        self.assertEqual(kinds, ["expired", "ready"])
        created = client().create_task(CreateTask.dag(name, [bench("a")]))
        after = next(events)
        events.close()
        self.assertEqual((after.kind, after.task_id), ("task", created["taskId"]))

    def test_a_stream_the_token_may_not_filter_so_is_refused(self) -> None:
        # A filter on a SubTask field needs sub_tasks_read, which the reader lacks.
        with self.assertRaises(Forbidden) as refused:
            next(reader().follow(TaskFilter(queue="bench")))
        self.assertEqual((refused.exception.status, refused.exception.code), (403, "FORBIDDEN"))
        self.assertIn("sub_tasks_read", refused.exception.message)


@requires_stack
class WaitingForATask(unittest.TestCase):
    def test_a_wait_that_times_out_says_what_it_last_saw(self) -> None:
        api = client()
        created = api.create_task(CreateTask.dag(unique("py-slow"), [bench("a", "sleep", ms=4000)]))
        began = time.monotonic()
        with self.assertRaises(TaskWaitTimeout) as gave_up:
            api.wait_for_task(created["taskId"], 1.0)
        waited = time.monotonic() - began
        self.assertGreaterEqual(waited, 1.0)
        self.assertLess(waited, 3.0)
        self.assertEqual(gave_up.exception.task_id, created["taskId"])
        self.assertIn(gave_up.exception.last["status"] if gave_up.exception.last else None, ("queued", "running"))
        self.assertEqual(api.wait_for_task(created["taskId"], 30)["status"], "success")

    def test_polling_alone_sees_the_end(self) -> None:
        api = client()
        created = api.create_task(CreateTask.dag(unique("py-poll"), [bench("a", "sleep", ms=300)]))
        self.assertEqual(api.wait_for_task(created["taskId"], 30, live=False, poll_interval=0.1)["status"], "success")

    def test_a_refused_stream_falls_back_to_polling(self) -> None:
        proxy = CuttableProxy(URL)
        self.addCleanup(proxy.close)
        proxy.refuse_stream = True
        api = client(base_url=proxy.url, retries=0)
        created = api.create_task(CreateTask.dag(unique("py-fallback"), [bench("a", "sleep", ms=300)]))
        self.assertEqual(api.wait_for_task(created["taskId"], 30, poll_interval=0.1)["status"], "success")
        self.assertEqual(len(proxy.stream_requests()), 1)


if __name__ == "__main__":
    unittest.main()
