"""Tokens against the running stack: refused ones raise the code (401 against 403), a token
provider is asked at every request, and the token appears in no message or repr."""

import unittest
import uuid

from vle_tasks_client import ApiError, CreateTask, Forbidden, Unauthenticated

from .stack import READER_TOKEN, TOKEN, bench, client, mint, reader, requires_stack, unique


@requires_stack
class ARefusedToken(unittest.TestCase):
    def test_a_token_that_is_no_jwt_is_unauthenticated(self) -> None:
        with self.assertRaises(Unauthenticated) as refused:
            client("not-a-jwt").list_tasks()
        self.assertEqual((refused.exception.status, refused.exception.code), (401, "UNAUTHENTICATED"))

    def test_a_bad_signature_is_unauthenticated_and_said_so(self) -> None:
        head, payload, signature = TOKEN.split(".")
        forged = f"{head}.{payload}.{signature[::-1]}"
        with self.assertRaises(Unauthenticated) as refused:
            client(forged).get_me()
        self.assertIn("signature", refused.exception.message)
        self.assertNotIn(forged, str(refused.exception))

    def test_an_expired_token_is_unauthenticated(self) -> None:
        # Past the 30 s of clock skew the API allows.
        with self.assertRaises(Unauthenticated) as refused:
            client(mint("py-expired", ["tasks_read"], expires_in=-60)).list_tasks()
        self.assertIn("expired", refused.exception.message)

    def test_a_command_refused_for_a_token_is_unauthenticated_too(self) -> None:
        with self.assertRaises(Unauthenticated):
            client("not-a-jwt").create_task(CreateTask.dag("never", [bench("a")]))


@requires_stack
class AWeakerToken(unittest.TestCase):
    def test_reads_what_it_may(self) -> None:
        api = reader()
        self.assertEqual(api.get_me()["permissions"], ["tasks_read"])
        created = client().create_task(CreateTask.dag(unique("py-reader"), [bench("a")]))
        task = api.wait_for_task(created["taskId"], 30)
        self.assertEqual(task["status"], "success")
        # Without sub_tasks_read the detail has no SubTasks.
        self.assertNotIn("subtasks", task)

    def test_is_forbidden_the_rest_naming_the_permission(self) -> None:
        api = reader()
        task_id = str(uuid.uuid4())
        calls = {
            "tasks_create": lambda: api.create_task(CreateTask.dag("never", [bench("a")])),
            "tasks_cancel": lambda: api.cancel_task(task_id),
            "sub_tasks_retry": lambda: api.retry_subtask(task_id, str(uuid.uuid4())),
            "sub_tasks_read": lambda: api.get_subtask(task_id, str(uuid.uuid4())),
            "tasks_admin": lambda: api.preview_retention(),
            "inventory_read": lambda: api.list_proxmox_nodes(),
        }
        for permission, call in calls.items():
            with self.subTest(permission), self.assertRaises(Forbidden) as refused:
                call()
            self.assertEqual((refused.exception.status, refused.exception.code), (403, "FORBIDDEN"))
            self.assertIn(permission, refused.exception.message)

    def test_acting_for_another_user_is_forbidden(self) -> None:
        api = client(mint("py-creator", ["tasks_create"], expires_in=600))
        with self.assertRaises(Forbidden) as refused:
            api.create_task(CreateTask.dag("for bob", [bench("a")], created_by="bob"))
        self.assertEqual([v.field for v in refused.exception.violations], ["createdBy"])
        self.assertIn("tasks_act_for_users", refused.exception.message)


@requires_stack
class TheToken(unittest.TestCase):
    def test_a_provider_is_asked_at_every_request(self) -> None:
        given = []

        def token() -> str:
            given.append(1)
            return READER_TOKEN

        api = client(token)
        api.get_me()
        api.list_tasks(limit=1)
        self.assertEqual(len(given), 2)

    def test_is_in_no_repr_and_no_error(self) -> None:
        api = client()
        self.assertNotIn(TOKEN, repr(api))
        self.assertIn("<hidden>", repr(api))
        try:
            api.get_task(str(uuid.uuid4()))
        except ApiError as error:
            self.assertNotIn(TOKEN, str(error))
            self.assertNotIn(TOKEN, repr(error.__dict__))
        else:
            self.fail("an unknown Task was found")

    def test_a_token_with_a_line_break_is_refused_without_naming_it(self) -> None:
        with self.assertRaises(ValueError) as refused:
            client(READER_TOKEN + "\r\nX-Injected: 1").get_me()
        self.assertNotIn(READER_TOKEN, str(refused.exception))


if __name__ == "__main__":
    unittest.main()
