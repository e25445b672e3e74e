"""The parser of server-sent events, on the lines the projection writes and the edge cases of the format."""

import unittest

from vle_tasks_client.sse import SseEvent, SseParser


def feed(*lines: bytes) -> tuple[SseParser, list[SseEvent]]:
    parser = SseParser()
    events = [e for e in (parser.feed(line) for line in lines) if e is not None]
    return parser, events


class TheParser(unittest.TestCase):
    def test_reads_the_projections_events(self) -> None:
        parser, events = feed(b"retry: 3000\n", b"\n", b"id: 7\n", b"event: task\n", b'data: {"id":"t1"}\n', b"\n", b": heartbeat\n", b"\n")
        self.assertEqual(events, [SseEvent("task", '{"id":"t1"}', "7")])
        self.assertEqual(parser.retry_ms, 3000)

    def test_keeps_the_last_id_for_events_without_one(self) -> None:
        parser, events = feed(b"id: 41\n", b"event: ready\n", b"data: {}\n", b"\n", b"event: closed\n", b'data: {"reason":"x"}\n', b"\n")
        self.assertEqual([(e.event, e.id) for e in events], [("ready", "41"), ("closed", "41")])
        self.assertEqual(parser.last_event_id, "41")

    def test_joins_data_lines_and_takes_crlf(self) -> None:
        _, events = feed(b"data: one\r\n", b"data:two\r\n", b"\r\n")
        self.assertEqual(events, [SseEvent("message", "one\ntwo", None)])

    def test_a_block_of_comments_or_without_data_dispatches_nothing(self) -> None:
        _, events = feed(b": heartbeat\n", b"\n", b"event: task\n", b"\n", b"\n")
        self.assertEqual(events, [])

    def test_the_event_name_does_not_leak_into_the_next(self) -> None:
        _, events = feed(b"event: leave\n", b"data: 1\n", b"\n", b"data: 2\n", b"\n")
        self.assertEqual([e.event for e in events], ["leave", "message"])

    def test_ignores_a_bom_a_bad_retry_and_an_id_with_nul(self) -> None:
        parser, events = feed("\ufeffdata: x\n".encode(), b"retry: soon\n", b"id: a\x00b\n", b"\n")
        self.assertEqual(events, [SseEvent("message", "x", None)])
        self.assertIsNone(parser.retry_ms)

    def test_bad_utf8_is_replaced_not_raised(self) -> None:
        _, events = feed(b"data: \xff\n", b"\n")
        self.assertEqual(events[0].data, "\ufffd")


if __name__ == "__main__":
    unittest.main()
