"""A parser of server-sent events (text/event-stream), fed one line at a time, as the HTML standard
says an EventSource reads them: ``event``, ``data`` (lines joined by a newline), ``id`` (the last
event id in force), ``retry``; a comment (``: heartbeat``) and an empty block dispatch nothing."""

from dataclasses import dataclass
from typing import Optional

__all__ = ["SseEvent", "SseParser"]


@dataclass(frozen=True)
class SseEvent:
    event: str
    data: str
    # The last event id in force when it was dispatched: what a reconnect sends as Last-Event-ID.
    id: Optional[str]


class SseParser:
    def __init__(self) -> None:
        self.last_event_id: Optional[str] = None
        # The reconnection time the server asked for, in milliseconds.
        self.retry_ms: Optional[int] = None
        self._event = ""
        self._data: list[str] = []
        self._first = True

    def feed(self, raw: bytes) -> Optional[SseEvent]:
        """One line as read (its end of line included or not); the event an empty line completes."""
        line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
        if self._first:
            self._first = False
            line = line.removeprefix("\ufeff")
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        elif name == "id":
            if "\0" not in value:
                self.last_event_id = value
        elif name == "retry":
            if value.isdigit():
                self.retry_ms = int(value)
        return None

    def _dispatch(self) -> Optional[SseEvent]:
        event, data = self._event or "message", self._data
        self._event, self._data = "", []
        if not data:
            return None
        return SseEvent(event, "\n".join(data), self.last_event_id)
