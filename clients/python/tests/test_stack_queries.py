"""The list against the running stack: every kind of filter, the search language and its errors,
keyset pages, the CSV export and the stats."""

import csv
import io
import unittest
from datetime import datetime, timedelta, timezone

from vle_tasks_client import CreateTask, Forbidden, TaskFilter, ValidationFailed

from .stack import bench, client, diamond, reader, requires_stack, subtasks, unique


@requires_stack
class TheList(unittest.TestCase):
    event: str
    ids: list[str]
    since: datetime

    @classmethod
    def setUpClass(cls) -> None:
        api = client()
        cls.event = unique("ev")
        cls.since = datetime.now(timezone.utc) - timedelta(seconds=5)
        # Three Tasks of one event: two that succeed, one that fails on the bench queue.
        commands = [
            diamond(unique("py-list-ok"), event_id=cls.event, object_type="event", object_id=cls.event),
            CreateTask.dag(unique("py-list-ok"), [bench("a")], event_id=cls.event),
            CreateTask.dag(unique("py-list-broken"), [bench("a", "fail", permanent=True)], event_id=cls.event),
        ]
        cls.ids = [api.create_task(c)["taskId"] for c in commands]
        for task_id in cls.ids:
            api.wait_for_task(task_id, 30)

    def ids_of(self, filter: TaskFilter | str) -> list[str]:
        return [t["id"] for t in client().list_tasks(filter)["items"]]

    def test_a_filter_of_the_event_lists_its_tasks_newest_first(self) -> None:
        self.assertEqual(self.ids_of(TaskFilter(event_id=self.event)), list(reversed(self.ids)))

    def test_every_condition_given_must_hold(self) -> None:
        self.assertEqual(self.ids_of(TaskFilter(event_id=self.event, status="failed")), [self.ids[2]])
        self.assertEqual(self.ids_of(TaskFilter(event_id=self.event, status=["success", "warning"])), [self.ids[1], self.ids[0]])
        self.assertEqual(self.ids_of(TaskFilter(event_id=self.event, name="list-broken")), [self.ids[2]])
        self.assertEqual(self.ids_of(TaskFilter(event_id=self.event, object_type="event", object_id=self.event)), [self.ids[0]])
        self.assertEqual(self.ids_of(TaskFilter(event_id=self.event, created_by=client().get_me()["subject"], from_=self.since)), list(reversed(self.ids)))
        self.assertEqual(self.ids_of(TaskFilter(event_id=self.event, to=self.since)), [])
        self.assertEqual(self.ids_of(TaskFilter(event_id=self.event, response_code="BENCH_PERMANENT", queue="bench")), [self.ids[2]])

    def test_the_search_language(self) -> None:
        self.assertEqual(self.ids_of(f'event = {self.event} and status = failed'), [self.ids[2]])
        self.assertEqual(self.ids_of(f'event = "{self.event}" and not (status = failed) and created_at > "1 hour ago"'), [self.ids[1], self.ids[0]])
        self.assertEqual(self.ids_of(f'event = {self.event} and response_code = BENCH_PERMANENT'), [self.ids[2]])
        self.assertEqual(self.ids_of(TaskFilter(q=f"id = {self.ids[1]}", event_id=self.event)), [self.ids[1]])

    def test_a_bad_query_says_where(self) -> None:
        with self.assertRaises(ValidationFailed) as refused:
            client().list_tasks("status = done")
        error = refused.exception
        self.assertEqual((error.status, error.code, error.position), (400, "VALIDATION_FAILED", 9))
        violation = error.violation("q")
        assert violation is not None
        self.assertIn('"done" is not a status', violation.message)
        self.assertIn("column 10", str(error))

    def test_a_bad_parameter_is_named(self) -> None:
        with self.assertRaises(ValidationFailed) as refused:
            client().list_tasks(TaskFilter(from_="yesterday-ish"))
        self.assertEqual([v.field for v in refused.exception.violations], ["from"])
        with self.assertRaises(ValidationFailed) as limit:
            client().list_tasks(limit=501)
        self.assertEqual([v.field for v in limit.exception.violations], ["limit"])

    def test_a_naive_time_is_refused_before_sending(self) -> None:
        with self.assertRaises(ValueError):
            client().list_tasks(TaskFilter(from_=datetime.now()))

    def test_keyset_pages_cover_the_list_once(self) -> None:
        api = client()
        pages = list(api.iter_pages(TaskFilter(event_id=self.event), limit=2))
        self.assertEqual([len(p["items"]) for p in pages], [2, 1])
        self.assertIsNone(pages[-1]["nextCursor"])
        self.assertEqual([t["id"] for p in pages for t in p["items"]], list(reversed(self.ids)))
        self.assertEqual([t["id"] for t in api.iter_tasks(TaskFilter(event_id=self.event), page_size=1)], list(reversed(self.ids)))

    def test_subtask_filters_need_sub_tasks_read(self) -> None:
        with self.assertRaises(Forbidden) as refused:
            reader().list_tasks(TaskFilter(event_id=self.event, queue="bench"))
        self.assertIn("sub_tasks_read", refused.exception.message)
        # The reader sees the Tasks themselves.
        self.assertEqual(len(reader().list_tasks(TaskFilter(event_id=self.event))["items"]), 3)

    def test_the_export_is_the_list_as_csv(self) -> None:
        api = client()
        rows = list(csv.reader(io.StringIO(b"".join(api.export_csv(TaskFilter(event_id=self.event))).decode("utf-8"))))
        self.assertEqual(rows[0][:3], ["ID", "Name", "Status"])
        self.assertEqual([r[0] for r in rows[1:]], list(reversed(self.ids)))
        per_subtask = list(csv.reader(io.StringIO(b"".join(api.export_csv(TaskFilter(event_id=self.event), subtasks=True, chunk_size=64)).decode("utf-8"))))
        self.assertEqual(len(per_subtask) - 1, 4 + 1 + 1)
        cut = b"".join(api.export_csv(TaskFilter(event_id=self.event), limit=1)).decode("utf-8")
        self.assertTrue(cut.rstrip().splitlines()[-1].startswith("# truncated"))

    def test_the_stats_count_by_status(self) -> None:
        stats = client().get_stats(from_=self.since, to=datetime.now(timezone.utc) + timedelta(minutes=1), interval="hour")
        self.assertGreaterEqual(stats["tasks"]["byStatus"].get("failed", 0), 1)
        self.assertGreaterEqual(stats["tasks"]["total"], 3)
        self.assertTrue(stats.get("buckets"))
        self.assertIn("bench", [b["queue"] for b in stats.get("backlog", [])])
        failures = stats.get("failures")
        assert failures is not None
        broken = subtasks(client().get_task(self.ids[2]))[0]["id"]
        self.assertIn({"taskId": self.ids[2], "subTaskId": broken}, [r for g in failures["groups"] for r in g["retry"]])
        self.assertNotIn("backlog", reader().get_stats())


if __name__ == "__main__":
    unittest.main()
