"""The LINE stand-in served over HTTP on 127.0.0.1, for `serve`, `demo` and the tests."""

from __future__ import annotations

import errno
import socket
import threading
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from bot.local.line_standin import LineStandIn, build_api


class _QuietHandler(WSGIRequestHandler):
    """No access log line per call: the stand-in records every call itself."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        """Stay quiet: the stand-in records every call itself."""


class StandInServer:
    """The fake API served over HTTP on 127.0.0.1 in a background thread."""

    def __init__(self, standin: LineStandIn, port: int = 0, host: str = "127.0.0.1") -> None:
        self.standin = standin
        # Bound here because werkzeug's make_server ends the whole process on a busy port;
        # an OSError lets the caller say which setting moves it.
        listener = socket.create_server((host, port))
        try:
            self._server: BaseWSGIServer = make_server(
                host, port, build_api(standin), threaded=True, request_handler=_QuietHandler, fd=listener.fileno()
            )
        finally:
            listener.close()  # the server holds its own duplicate of the socket
        self._thread = threading.Thread(target=self._server.serve_forever, name="line-standin", daemon=True)

    @property
    def url(self) -> str:
        """Base URL to give the SDK as `Configuration(host=...)`."""
        return f"http://{self._server.host}:{self._server.port}"

    def start(self) -> "StandInServer":
        """Start serving in the background."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._server.shutdown()
        self._server.server_close()


class StandInPortError(Exception):
    """The local stand-in cannot listen; the message names the setting that moves it."""


def start_local_standin(access_token: str, port: int) -> StandInServer:
    """The stand-in `thaiqm-bot serve` and `demo` run on 127.0.0.1:port, started."""
    try:
        server = StandInServer(LineStandIn(access_token=access_token), port=port)
    except OSError as error:
        why = "another program uses it (perhaps another `thaiqm-bot serve` or `demo`)" if error.errno == errno.EADDRINUSE else error.strerror
        raise StandInPortError(
            f"cannot start the local LINE stand-in on port {port}: {why}; stop that program or set THAIQM_LOCAL_LINE_PORT to a free port"
        ) from None
    return server.start()
