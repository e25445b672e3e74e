"""An answer's status and ErrorReply body give the error class of its family, with the code, the
violations and their positions; an answer that holds no ErrorReply still gives its family."""

import unittest

from vle_tasks_client import (
    ApiError,
    BadRequest,
    Conflict,
    Forbidden,
    InvalidTask,
    NotFound,
    PayloadTooLarge,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
    Violation,
)
from vle_tasks_client.errors import api_error


def body(code: str, message: str = "m", **extra: object) -> dict[str, object]:
    return {"code": code, "message": message, **extra}


class AnErrorOfTheApi(unittest.TestCase):
    def test_is_of_the_family_of_its_status(self) -> None:
        cases = {
            (401, "UNAUTHENTICATED"): Unauthenticated,
            (403, "FORBIDDEN"): Forbidden,
            (404, "TASK_NOT_FOUND"): NotFound,
            (409, "NOT_RETRYABLE"): Conflict,
            (413, "COMMIT_TOO_LARGE"): PayloadTooLarge,
            (415, "UNSUPPORTED_MEDIA_TYPE"): UnsupportedMediaType,
            (502, "UPSTREAM_UNAVAILABLE"): Unavailable,
            (503, "BUSY"): Unavailable,
            (504, "UPSTREAM_TIMEOUT"): Unavailable,
            (500, "INTERNAL"): ApiError,
        }
        for (status, code), family in cases.items():
            with self.subTest(code):
                error = api_error(status, body(code))
                self.assertIs(type(error), family)
                self.assertEqual((error.status, error.code), (status, code))

    def test_a_400_is_told_apart_by_its_code(self) -> None:
        self.assertIs(type(api_error(400, body("VALIDATION_FAILED"))), ValidationFailed)
        self.assertIs(type(api_error(400, body("MALFORMED_JSON"))), ValidationFailed)
        self.assertIs(type(api_error(400, body("DAG_CYCLE"))), InvalidTask)
        self.assertIs(type(api_error(400, body("INVALID_PARAMS"))), InvalidTask)
        self.assertIs(type(api_error(400, body("SOMETHING_NEW"))), BadRequest)
        self.assertTrue(issubclass(ValidationFailed, BadRequest) and issubclass(InvalidTask, BadRequest))

    def test_keeps_the_violations_and_the_position_in_q(self) -> None:
        error = api_error(400, body("VALIDATION_FAILED", "invalid query", violations=[{"field": "q", "message": "column 10: bad", "position": 9}, {"field": "limit", "message": "too big"}]), operation_id="listTasks")
        assert isinstance(error, ValidationFailed)
        self.assertEqual(error.position, 9)
        self.assertEqual(error.violation("limit"), Violation("limit", "too big", None))
        self.assertEqual(str(error), "listTasks: 400 VALIDATION_FAILED: invalid query (q: column 10: bad; limit: too big)")

    def test_an_answer_without_an_error_body_still_has_its_family(self) -> None:
        error = api_error(502, "<html>Bad Gateway</html>", retry_after=5)
        self.assertIs(type(error), Unavailable)
        self.assertEqual((error.code, error.retry_after), ("HTTP_502", 5))
        self.assertIn("Bad Gateway", error.message)

    def test_a_malformed_violation_is_kept_as_far_as_it_goes(self) -> None:
        error = api_error(400, body("VALIDATION_FAILED", violations=[{"field": "x", "message": "y", "position": "9"}, "junk"]))
        self.assertEqual(error.violations, (Violation("x", "y", None),))


if __name__ == "__main__":
    unittest.main()
