"""A TCP proxy in front of the real projection that a test can cut, hold or make refuse the live
stream: real connections that really drop, for the reconnect and fallback tests."""

import socket
import threading
from typing import Optional
from urllib.parse import urlsplit


class CuttableProxy:
    def __init__(self, target_url: str) -> None:
        parts = urlsplit(target_url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}"
        # The first bytes of every connection (the request's head), in order.
        self.heads: list[bytes] = []
        # Close at once every connection that asks for the live stream.
        self.refuse_stream = False
        self._open = threading.Event()
        self._open.set()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self, *, hold: bool = False) -> None:
        """Drops every connection now; with ``hold``, new ones wait (unanswered) until ``release``."""
        if hold:
            self._open.clear()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for s in sockets:
            _close(s)

    def release(self) -> None:
        self._open.set()

    def close(self) -> None:
        self.release()
        self.cut()
        _close(self._server)

    def stream_requests(self) -> list[str]:
        """The head of every request for the live stream, decoded."""
        return [h.decode("latin-1") for h in self.heads if h.split(b"\r\n", 1)[0].startswith(b"GET /api/v1/tasks/stream")]

    def _accept(self) -> None:
        while True:
            try:
                downstream, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(downstream,), daemon=True).start()

    def _serve(self, downstream: socket.socket) -> None:
        self._track(downstream)
        try:
            head = downstream.recv(65536)
        except OSError:
            return _close(downstream)
        self.heads.append(head)
        if self.refuse_stream and head.startswith(b"GET /api/v1/tasks/stream"):
            return _close(downstream)
        self._open.wait()
        try:
            upstream = socket.create_connection(self._target, timeout=10)
            upstream.settimeout(None)
            upstream.sendall(head)
        except OSError:
            return _close(downstream)
        self._track(upstream)
        threading.Thread(target=_pump, args=(upstream, downstream), daemon=True).start()
        _pump(downstream, upstream)

    def _track(self, s: socket.socket) -> None:
        with self._lock:
            self._sockets.add(s)


def _pump(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    _close(source)
    _close(sink)


def _close(s: Optional[socket.socket]) -> None:
    if s is None:
        return
    try:
        s.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    s.close()
