"""Times as the API takes them: an ISO 8601 instant in UTC with milliseconds and ``Z``, or a date."""

from datetime import date, datetime, timezone
from typing import Union

__all__ = ["TimeLike", "api_time"]

# A datetime with a zone, a date (midnight UTC where the API takes a date), or a string sent as given.
TimeLike = Union[datetime, date, str]


def api_time(value: TimeLike, field: str) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            # A naive datetime names no instant: the API would not know which one is meant.
            raise ValueError(f"{field}: a datetime needs a zone (datetime.now(timezone.utc), not datetime.now())")
        return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    raise TypeError(f"{field}: a datetime, a date or a string, not {type(value).__name__}")
