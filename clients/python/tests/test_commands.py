"""The JSON of the commands and the query of the filters, as the API's names spell them."""

import unittest
from datetime import date, datetime, timedelta, timezone

from vle_tasks_client import CreateTask, SubTaskSpec, TaskFilter


class TheCreateCommand(unittest.TestCase):
    def test_a_dag_in_camel_case_without_unset_fields(self) -> None:
        command = CreateTask.dag(
            "Clone and start",
            [SubTaskSpec("clone", "Clone", "clone", "pve_vm_clone", params={"templateVmid": 9000}, object_type="template", object_id="9000", timeout_seconds=600), SubTaskSpec("start", "Start", "start", "pve_vm_actions", depends_on=["clone"], best_effort=True)],
            event_id="42",
            idempotency_key="ev42",
            start_at=datetime(2026, 12, 1, 10, 0, tzinfo=timezone(timedelta(hours=1))),
        )
        self.assertEqual(command.to_json(), {
            "name": "Clone and start",
            "subtasks": [
                {"key": "clone", "name": "Clone", "action": "clone", "queue": "pve_vm_clone", "params": {"templateVmid": 9000}, "objectType": "template", "objectId": "9000", "timeoutSeconds": 600},
                {"key": "start", "name": "Start", "action": "start", "queue": "pve_vm_actions", "dependsOn": ["clone"], "bestEffort": True},
            ],
            "eventId": "42",
            "idempotencyKey": "ev42",
            "startAt": "2026-12-01T09:00:00.000Z",
        })

    def test_a_typed_command(self) -> None:
        self.assertEqual(CreateTask.typed("vm.clone", {"count": 2}, event_id="42").to_json(), {"type": "vm.clone", "params": {"count": 2}, "eventId": "42"})
        self.assertEqual(CreateTask.typed("pve.node_sync").to_json(), {"type": "pve.node_sync", "params": {}})

    def test_refuses_what_cannot_be_a_command(self) -> None:
        with self.assertRaises(ValueError):
            CreateTask.typed("")
        with self.assertRaises(ValueError):
            CreateTask.dag("empty", [])
        with self.assertRaisesRegex(ValueError, "startAt: a datetime needs a zone"):
            CreateTask.dag("naive", [SubTaskSpec("a", "A", "noop", "bench")], start_at=datetime(2026, 12, 1, 10, 0)).to_json()


class TheFilter(unittest.TestCase):
    def test_uses_the_apis_names_and_lists(self) -> None:
        query = TaskFilter(q="status = failed", silent=True, status=["failed", "timed_out"], created_by="alice", from_=date(2026, 11, 22), updated_since=datetime(2026, 11, 22, 10, tzinfo=timezone.utc), object_type="vm", object_id="123", event_id="42", response_code="SMTP_550").query()
        self.assertEqual(query, {
            "q": "status = failed",
            "silent": "true",
            "status": "failed,timed_out",
            "createdBy": "alice",
            "from": "2026-11-22",
            "updatedSince": "2026-11-22T10:00:00.000Z",
            "objectType": "vm",
            "objectId": "123",
            "eventId": "42",
            "responseCode": "SMTP_550",
        })

    def test_an_empty_filter_is_no_parameter(self) -> None:
        self.assertEqual(TaskFilter().query(), {})


if __name__ == "__main__":
    unittest.main()
