"""The admin routes against the running stack (a token with tasks_admin): dead letters, the
retention's dry run and a run, the projection's status, the Proxmox inventory."""

import unittest
from datetime import datetime, timedelta, timezone

from vle_tasks_client import CreateTask, NotFound

from .stack import DEAD_LETTER_CODE, bench, client, requires_stack, unique


@requires_stack
@unittest.skipUnless(DEAD_LETTER_CODE, "VLE_TASKS_TEST_DEAD_LETTER is not set: no dead letter was made for the suite")
class DeadLetters(unittest.TestCase):
    def test_the_summary_counts_it(self) -> None:
        summary = client().summarize_dead_letters()
        self.assertGreaterEqual(summary["total"], 1)
        self.assertIn({"source": "commands", "code": DEAD_LETTER_CODE}, [{"source": c["source"], "code": c["code"]} for c in summary["counts"]])

    def test_the_list_and_one_dead_letter(self) -> None:
        api = client()
        page = api.list_dead_letters(source="commands", code=DEAD_LETTER_CODE, since=datetime.now(timezone.utc) - timedelta(hours=1))
        self.assertTrue(page["items"])
        item = page["items"][0]
        self.assertEqual((item["source"], item["code"]), ("commands", DEAD_LETTER_CODE))
        one = api.get_dead_letter(item["seq"])
        self.assertEqual((one["seq"], one["subject"]), (item["seq"], item["subject"]))
        self.assertIn(item["seq"], [d["seq"] for d in api.iter_dead_letters(limit=1)])
        self.assertEqual(api.list_dead_letters(code="NO_SUCH_CODE")["items"], [])

    def test_an_unknown_one_is_not_found(self) -> None:
        with self.assertRaises(NotFound) as missing:
            client().get_dead_letter(999_999_999)
        self.assertEqual(missing.exception.code, "DEAD_LETTER_NOT_FOUND")


@requires_stack
class Retention(unittest.TestCase):
    def test_the_dry_run_shows_what_a_later_run_would_delete(self) -> None:
        api = client()
        created = api.create_task(CreateTask.dag(unique("py-retention"), [bench("a")]))
        api.wait_for_task(created["taskId"], 30)
        now = api.preview_retention()
        self.assertIn({"match": "*", "days": 30}, now["policy"])
        later = api.preview_retention(at=datetime.now(timezone.utc) + timedelta(days=400))
        self.assertGreater(later["total"], now["total"])
        self.assertIn("success", [c["status"] for c in later["counts"]])

    def test_a_run_now_deletes_nothing_young(self) -> None:
        result = client().run_retention()
        self.assertTrue(result["enabled"])
        self.assertEqual(result["deleted"], 0)


@requires_stack
class TheProjectionAndTheInventory(unittest.TestCase):
    def test_the_status_of_the_projection(self) -> None:
        status = client().get_projection_status()
        self.assertTrue(status["leading"])
        self.assertGreaterEqual(status["streamSeq"], status["appliedSeq"])

    def test_the_inventory_before_any_node_sync(self) -> None:
        api = client()
        self.assertEqual(api.list_proxmox_nodes()["nodes"], [])
        self.assertEqual(api.list_proxmox_vms(template=True)["vms"], [])
        with self.assertRaises(NotFound) as missing:
            api.get_proxmox_vm(100)
        self.assertEqual(missing.exception.code, "VM_NOT_FOUND")


if __name__ == "__main__":
    unittest.main()
