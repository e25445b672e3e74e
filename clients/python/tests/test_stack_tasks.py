"""Commands and a Task's reads against the running stack: a DAG and a typed command run to their
end, a failing Task retried, a skip, a cancel, a pin, idempotency, and the refusals of each."""

import unittest
import uuid

from vle_tasks_client import FINAL_STATUSES, Conflict, CreateTask, InvalidTask, NotFound, SubTaskSpec, ValidationFailed
from vle_tasks_client.models import TaskView

from .stack import SANDBOX_URL, bench, client, diamond, requires_stack, sandbox, subtasks, unique


def after_a_person(task: TaskView) -> bool:
    """Finished after a retry or skip: the read model may still show the failure for a moment."""
    return task["manualIntervention"] and task["status"] in FINAL_STATUSES


@requires_stack
class ADag(unittest.TestCase):
    def test_runs_to_success_with_every_subtask_once(self) -> None:
        api = client()
        created = api.create_task(diamond(unique("py-diamond")))
        self.assertFalse(created["existing"])
        self.assertEqual(sorted(created["subTaskIds"]), ["a", "b", "c", "d"])

        task = api.wait_for_task(created["taskId"], 30)
        self.assertEqual(task["status"], "success")
        self.assertEqual(task["progress"], 1)
        self.assertEqual({s["key"]: s["status"] for s in subtasks(task)}, {"a": "success", "b": "success", "c": "success", "d": "success"})

        d = api.get_subtask(task["id"], created["subTaskIds"]["d"])
        self.assertEqual(d["parentTask"]["id"], task["id"])
        self.assertEqual([(a["attempt"], a["outcome"]) for a in d["attempts"]], [(1, "succeeded")])
        self.assertEqual(sorted(d["dependsOn"]), sorted([created["subTaskIds"]["b"], created["subTaskIds"]["c"]]))

    def test_history_pages_add_up_to_the_whole(self) -> None:
        api = client()
        created = api.create_task(diamond(unique("py-history")))
        api.wait_for_task(created["taskId"], 30)
        whole = api.get_history(created["taskId"])
        self.assertIsNone(whole["nextAfterSeq"])
        types = [e["type"] for e in whole["events"]]
        self.assertEqual(types[0], "TaskCreated")
        self.assertEqual(types.count("SubTaskSucceeded"), 4)
        pages = list(api.iter_history(created["taskId"], limit=3))
        self.assertGreater(len(pages), 1)
        self.assertEqual([(e["seq"], e["index"]) for p in pages for e in p["events"]], [(e["seq"], e["index"]) for e in whole["events"]])

    def test_a_report_is_a_page_naming_the_task(self) -> None:
        api = client()
        name = unique("py-report")
        created = api.create_task(diamond(name))
        api.wait_for_task(created["taskId"], 30)
        page = api.get_report_html(created["taskId"])
        self.assertIn("<html", page.lower())
        self.assertIn(name, page)

    def test_through_the_one_origin_alone(self) -> None:
        # No commands_url: the projection forwards the command to task-api.
        api = client(commands_url=None)
        created = api.create_task(CreateTask.dag(unique("py-one-origin"), [bench("only")]))
        self.assertEqual(api.wait_for_task(created["taskId"], 30)["status"], "success")

    def test_the_same_idempotency_key_names_the_same_task(self) -> None:
        api = client()
        command = diamond(unique("py-idem"), idempotency_key=unique("key"))
        first = api.create_task(command)
        second = api.create_task(command)
        self.assertEqual((second["taskId"], second["existing"]), (first["taskId"], True))
        with self.assertRaises(Conflict) as refused:
            api.create_task(CreateTask.dag("another body", [bench("x")], idempotency_key=command.idempotency_key))
        self.assertEqual((refused.exception.status, refused.exception.code), (409, "IDEMPOTENCY_KEY_REUSED"))


@requires_stack
class ARefusedCommand(unittest.TestCase):
    def test_a_cycle_is_named(self) -> None:
        with self.assertRaises(InvalidTask) as refused:
            client().create_task(CreateTask.dag("cycle", [bench("a", depends_on=["b"]), bench("b", depends_on=["a"])]))
        self.assertEqual((refused.exception.status, refused.exception.code), (400, "DAG_CYCLE"))

    def test_an_unknown_queue_names_its_field(self) -> None:
        with self.assertRaises(InvalidTask) as refused:
            client().create_task(CreateTask.dag("queue", [SubTaskSpec("a", "A", "noop", "no_such_queue")]))
        self.assertEqual(refused.exception.code, "UNKNOWN_QUEUE")
        self.assertIsNotNone(refused.exception.violation("subtasks[0].queue"))

    def test_a_bad_field_is_a_validation_failure(self) -> None:
        with self.assertRaises(ValidationFailed) as refused:
            client().create_task({"name": "x" * 201, "subtasks": [bench("a").to_json()]})
        self.assertEqual(refused.exception.code, "VALIDATION_FAILED")
        self.assertEqual([v.field for v in refused.exception.violations], ["name"])

    def test_an_unknown_task_is_not_found(self) -> None:
        api = client()
        with self.assertRaises(NotFound) as missing:
            api.get_task(str(uuid.uuid4()))
        self.assertEqual((missing.exception.status, missing.exception.code), (404, "TASK_NOT_FOUND"))
        with self.assertRaises(NotFound) as cancel:
            api.cancel_task(str(uuid.uuid4()))
        self.assertEqual(cancel.exception.code, "TASK_NOT_FOUND")


@requires_stack
@unittest.skipUnless(SANDBOX_URL, "VLE_TASKS_TEST_SANDBOX_URL is not set: no SMTP sink to check mails in")
class AMail(unittest.TestCase):
    def test_a_typed_command_sends_it(self) -> None:
        api = client()
        to = f"{unique('ada')}@example.test"
        created = api.create_task(CreateTask.typed("mail.send", {"to": [to], "subject": "Your lab", "text": "It is ready."}))
        task = api.wait_for_task(created["taskId"], 30)
        self.assertEqual(task["status"], "success")
        self.assertEqual(task["type"], "mail.send")
        self.assertEqual(subtasks(task)[0]["responseCode"], "OK")
        self.assertEqual(sandbox("GET", f"/_sandbox/smtp/messages?to={to}")["count"], 1)

    def test_a_failed_send_retried_succeeds_and_ends_warning(self) -> None:
        api = client()
        to = f"{unique('bob')}@example.test"
        sandbox("PUT", "/_sandbox/smtp/rules", {"recipient": to, "code": 550, "message": "mailbox unavailable", "times": 1})
        try:
            created = api.create_task(CreateTask.typed("mail.send", {"to": [to], "subject": "Retry me", "text": "Hello"}))
            failed = api.wait_for_task(created["taskId"], 30)
        finally:
            sandbox("DELETE", "/_sandbox/smtp/rules")
        self.assertEqual(failed["status"], "failed")
        send = subtasks(failed)[0]
        self.assertEqual((send["status"], send["responseCode"]), ("failed", "SMTP_550"))

        retried = api.retry_subtask(created["taskId"], send["id"])
        self.assertIn("SubTaskRetryRequested", retried["events"])
        task = api.wait_for_task(created["taskId"], 30, until=after_a_person)
        self.assertEqual(task["status"], "warning")
        self.assertEqual((subtasks(task)[0]["status"], subtasks(task)[0]["generation"]), ("success", 2))
        self.assertEqual(sandbox("GET", f"/_sandbox/smtp/messages?to={to}")["count"], 1)
        retry = [e for e in api.get_history(created["taskId"])["events"] if e["type"] == "SubTaskRetryRequested"]
        self.assertEqual([e["actor"] for e in retry], [api.get_me()["subject"]])

        with self.assertRaises(Conflict) as again:
            api.retry_subtask(created["taskId"], send["id"])
        self.assertEqual(again.exception.code, "NOT_RETRYABLE")


@requires_stack
class ASkipAndACancel(unittest.TestCase):
    def test_a_skipped_failure_lets_the_rest_run(self) -> None:
        api = client()
        created = api.create_task(CreateTask.dag(unique("py-skip"), [bench("a", "fail", permanent=True), bench("b", depends_on=["a"])]))
        self.assertEqual(api.wait_for_task(created["taskId"], 30)["status"], "failed")
        skipped = api.skip_subtask(created["taskId"], created["subTaskIds"]["a"], reason="not needed")
        self.assertIn("SubTaskSkipped", skipped["events"])
        task = api.wait_for_task(created["taskId"], 30, until=after_a_person)
        self.assertEqual(task["status"], "warning")
        self.assertEqual({s["key"]: s["status"] for s in subtasks(task)}, {"a": "skipped", "b": "success"})

    def test_a_cancel_stops_what_waits_and_is_idempotent(self) -> None:
        api = client()
        created = api.create_task(CreateTask.dag(unique("py-cancel"), [bench("a", "sleep", ms=3000), bench("b", depends_on=["a"])]))
        self.assertEqual(api.wait_for_task(created["taskId"], 10, until=lambda t: t["status"] == "running")["status"], "running")
        cancelled = api.cancel_task(created["taskId"], reason="changed my mind")
        self.assertEqual(cancelled["status"], "cancelling")
        task = api.wait_for_task(created["taskId"], 30)
        self.assertEqual(task["status"], "cancelled")
        self.assertEqual(subtasks(task)[1]["status"], "cancelled")
        self.assertEqual(api.cancel_task(created["taskId"])["events"], [])

    def test_a_pin_is_recorded_once(self) -> None:
        api = client()
        created = api.create_task(CreateTask.dag(unique("py-pin"), [bench("a")]))
        self.assertEqual(api.pin_task(created["taskId"], reason="evidence")["events"], ["TaskPinned"])
        self.assertEqual(api.pin_task(created["taskId"])["events"], [])
        self.assertTrue(api.wait_for_task(created["taskId"], 30, until=lambda t: t["pinned"] and t["status"] == "success")["pinned"])
        self.assertEqual(api.unpin_task(created["taskId"])["events"], ["TaskUnpinned"])


if __name__ == "__main__":
    unittest.main()
