"""HTTP over http.client: one connection per request, a timeout on connecting and on every read, the
token in the Authorization header and nowhere else (no log, no message, no repr), refusals raised
as the classes of errors.py, and a bounded retry of what is safe to send again."""

import http.client
import json
import logging
import socket
import ssl
import time
from dataclasses import dataclass
from email.message import Message
from typing import Any, Callable, Mapping, Optional, Union
from urllib.parse import urlencode, urlsplit

from .errors import ApiError, ConnectionFailed, RequestTimeout, TransportError, Unavailable, api_error
from .routes import Route
from .version import __version__

__all__ = ["TokenSource", "Answer", "Stream", "Transport"]

log = logging.getLogger("vle_tasks_client")

# A token, or a function giving the current one (called for every request: a rotated token is used
# at once, and a live stream reconnects with the new one after the old expired).
TokenSource = Union[str, Callable[[], str]]

# Refused before any handler saw the command: sending it again cannot apply it twice.
_NOT_HANDLED_CODES = frozenset({"BUSY", "UPSTREAM_BUSY"})
_MAX_RETRY_AFTER_S = 30.0


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class Stream:
    """A streamed answer (the live stream, the CSV export), read with a timeout per read."""

    def __init__(self, connection: http.client.HTTPConnection, sock: socket.socket, response: http.client.HTTPResponse, method: str, url: str) -> None:
        self._connection = connection
        # Not connection.sock: http.client forgets it once an answer says the server will close the
        # connection (the answer reads on from it), and each read's timeout is set on it.
        self._socket = sock
        self.response = response
        self._method = method
        self._url = url

    def _timed(self, timeout: float, read: Callable[[], bytes]) -> bytes:
        self._socket.settimeout(max(timeout, 0.001))
        try:
            return read()
        except TimeoutError:
            raise RequestTimeout(f"no data for {timeout:g} s", method=self._method, url=self._url) from None
        except (OSError, http.client.HTTPException, ValueError) as error:
            # ValueError: a read after the connection was closed under it.
            raise ConnectionFailed(f"the stream broke: {type(error).__name__}", method=self._method, url=self._url) from None

    def readline(self, timeout: float) -> bytes:
        """One line, b"" at the end of the stream."""
        return self._timed(timeout, lambda: self.response.readline(1 << 20))

    def read(self, size: int, timeout: float) -> bytes:
        """Up to ``size`` bytes, b"" at the end of the stream."""
        return self._timed(timeout, lambda: self.response.read1(size))

    def close(self) -> None:
        self.response.close()
        self._connection.close()
        self._socket.close()

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


class _NotSent(Exception):
    """The connection could not be made: nothing of the request left this process."""

    def __init__(self, error: TransportError) -> None:
        self.error = error


class Transport:
    def __init__(
        self,
        base_url: str,
        token: TokenSource,
        *,
        commands_url: Optional[str] = None,
        timeout: float = 10.0,
        retries: int = 2,
        ssl_context: Optional[ssl.SSLContext] = None,
    ) -> None:
        self._base = _Origin(base_url, "base_url")
        self._commands = _Origin(commands_url, "commands_url") if commands_url else self._base
        self._token = token
        self.timeout = timeout
        self.retries = retries
        self._ssl_context = ssl_context

    def __repr__(self) -> str:
        commands = f", commands_url={self._commands.url!r}" if self._commands is not self._base else ""
        return f"Transport({self._base.url!r}{commands}, token=<hidden>)"

    def request(
        self,
        route: Route,
        *,
        path: Optional[Mapping[str, str]] = None,
        query: Optional[Mapping[str, Optional[str]]] = None,
        body: Any = None,
        accept: str = "application/json",
        timeout: Optional[float] = None,
        idempotent: Optional[bool] = None,
    ) -> Answer:
        """The answer of a 2xx; an ApiError for any other; a TransportError without one. Sent again
        (at most ``retries`` times) when that is safe: a read or an idempotent command after a 502,
        503, 504 or a broken connection; any command refused unhandled (BUSY) or not sent at all."""
        safe = route.method == "GET" if idempotent is None else idempotent
        attempt = 0
        while True:
            try:
                return self._once(route, path, query, body, accept, timeout)
            except _NotSent as failure:
                error: Union[TransportError, ApiError] = failure.error
                may_retry = True
            except TransportError as failure:
                error, may_retry = failure, safe
            except Unavailable as failure:
                error, may_retry = failure, safe or failure.code in _NOT_HANDLED_CODES
            if not may_retry or attempt >= self.retries:
                raise error
            attempt += 1
            delay = _delay(attempt, error.retry_after if isinstance(error, ApiError) else None)
            log.info("%s: %s; sending it again in %.2f s (%d of %d)", route.operation_id, error, delay, attempt, self.retries)
            time.sleep(delay)

    def json(self, route: Route, **options: Any) -> Any:
        return self.request(route, **options).json()

    def open(
        self,
        route: Route,
        *,
        path: Optional[Mapping[str, str]] = None,
        query: Optional[Mapping[str, Optional[str]]] = None,
        headers: Optional[Mapping[str, str]] = None,
        accept: str,
        timeout: Optional[float] = None,
    ) -> Stream:
        """A streamed answer, once its status is 2xx (an ApiError otherwise); not retried."""
        try:
            connection, sock, response, method, url = self._send(route, path, query, None, accept, timeout, headers or {})
        except _NotSent as failure:
            raise failure.error from None
        if response.status >= 300:
            try:
                data = response.read()
            except (OSError, http.client.HTTPException):
                data = b""
            finally:
                connection.close()
            raise self._refusal(route, response, data)
        return Stream(connection, sock, response, method, url)

    def _once(self, route: Route, path: Optional[Mapping[str, str]], query: Optional[Mapping[str, Optional[str]]], body: Any, accept: str, timeout: Optional[float]) -> Answer:
        connection, _, response, method, url = self._send(route, path, query, body, accept, timeout, {})
        try:
            data = response.read()
        except TimeoutError:
            raise RequestTimeout(f"the answer did not come within {self._timeout(timeout):g} s", method=method, url=url) from None
        except (OSError, http.client.HTTPException) as error:
            raise ConnectionFailed(f"the answer broke off: {type(error).__name__}", method=method, url=url) from None
        finally:
            connection.close()
        if response.status >= 300:
            raise self._refusal(route, response, data)
        return Answer(response.status, response.headers, data)

    def _send(
        self,
        route: Route,
        path: Optional[Mapping[str, str]],
        query: Optional[Mapping[str, Optional[str]]],
        body: Any,
        accept: str,
        timeout: Optional[float],
        extra_headers: Mapping[str, str],
    ) -> tuple[http.client.HTTPConnection, socket.socket, http.client.HTTPResponse, str, str]:
        origin = self._commands if route.command else self._base
        target = origin.prefix + route.expand(**(path or {})) + _query_string(route, query)
        url = origin.url + target[len(origin.prefix):]
        seconds = self._timeout(timeout)
        headers = {"Accept": accept, "User-Agent": f"vle-tasks-client-python/{__version__}", "Authorization": f"Bearer {self._current_token()}", **extra_headers}
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        connection = origin.connection(seconds, self._ssl_context)
        try:
            connection.connect()
        except TimeoutError:
            connection.close()
            raise _NotSent(RequestTimeout(f"no connection within {seconds:g} s", method=route.method, url=url)) from None
        except OSError as error:
            connection.close()
            raise _NotSent(ConnectionFailed(f"cannot connect: {error.strerror or error or type(error).__name__}", method=route.method, url=url)) from None
        sock = connection.sock
        try:
            connection.request(route.method, target, body=data, headers=headers)
            return connection, sock, connection.getresponse(), route.method, url
        except TimeoutError:
            connection.close()
            raise RequestTimeout(f"no answer within {seconds:g} s", method=route.method, url=url) from None
        except (OSError, http.client.HTTPException) as error:
            connection.close()
            raise ConnectionFailed(f"the connection broke: {type(error).__name__}", method=route.method, url=url) from None

    def _refusal(self, route: Route, response: http.client.HTTPResponse, data: bytes) -> ApiError:
        try:
            body: Any = json.loads(data)
        except ValueError:
            body = data.decode("utf-8", errors="replace")
        return api_error(response.status, body, operation_id=route.operation_id, retry_after=_retry_after(response.headers.get("Retry-After")))

    def _timeout(self, timeout: Optional[float]) -> float:
        return self.timeout if timeout is None else timeout

    def _current_token(self) -> str:
        token = self._token() if callable(self._token) else self._token
        if not isinstance(token, str) or not token or any(c.isspace() or ord(c) < 32 for c in token):
            # Never the value: it would end up in a log.
            raise ValueError("token: must be a non-empty string without spaces or control characters (the JWT)")
        return token


class _Origin:
    def __init__(self, url: str, name: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{name}: must be an http:// or https:// URL, not {url!r}")
        if parts.query or parts.fragment or parts.username or parts.password:
            raise ValueError(f"{name}: a base URL has no query, fragment or credentials")
        self.https = parts.scheme == "https"
        self.host = parts.hostname
        self.port = parts.port
        self.prefix = parts.path.rstrip("/")
        self.url = f"{parts.scheme}://{parts.netloc}{self.prefix}"

    def connection(self, timeout: float, context: Optional[ssl.SSLContext]) -> http.client.HTTPConnection:
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=timeout, context=context or ssl.create_default_context())
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout)


def _query_string(route: Route, query: Optional[Mapping[str, Optional[str]]]) -> str:
    given = {k: v for k, v in (query or {}).items() if v is not None}
    unknown = [k for k in given if k not in route.query]
    if unknown:
        raise ValueError(f"{route.operation_id} takes no query parameter {', '.join(unknown)} (it takes {', '.join(route.query) or 'none'})")
    return "?" + urlencode(given) if given else ""


def _retry_after(value: Optional[str]) -> Optional[float]:
    return float(value) if value is not None and value.strip().isdigit() else None


def _delay(attempt: int, retry_after: Optional[float]) -> float:
    if retry_after is not None:
        return min(retry_after, _MAX_RETRY_AFTER_S)
    return min(0.25 * 2 ** (attempt - 1), 5.0)
