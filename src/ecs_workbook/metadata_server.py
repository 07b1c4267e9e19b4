"""Local HTTP servers that stand in for the link-local metadata endpoints of AWS.

On AWS a container asks the ECS agent at ``169.254.170.2`` about its task and EC2 at
``169.254.169.254`` about its instance; neither address answers here. :mod:`ecs_workbook.metadata`
(task metadata v4) and :mod:`ecs_workbook.instance_metadata` (IMDSv2) answer the same paths from a
small threaded server on 127.0.0.1 (:func:`start_server`) and hand it to the learner as a
:class:`MetadataEndpoint`. Timestamps are offsets from :data:`REFERENCE_TIME`, so every run prints
the same.

- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

#: Every timestamp the local endpoints report is an offset from this instant (stable outputs).
REFERENCE_TIME = datetime(2024, 1, 1, tzinfo=UTC)


class MetadataError(RuntimeError):
    """A local metadata endpoint could not be started for what was asked (unknown task, ...)."""


@dataclass
class MetadataEndpoint:
    """A local metadata server: ``url`` to query, ``stop()`` (or ``with``) to shut it down.

    ``environment`` holds the variables it exported into ``os.environ`` (restored on stop).
    """

    url: str
    environment: dict[str, str] = field(default_factory=dict)
    container_urls: dict[str, str] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _saved_environment: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def running(self) -> bool:
        return self._server is not None

    def stop(self) -> None:
        """Stop serving and restore the environment variables it set. Safe to call twice."""
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._server = None
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def __enter__(self) -> MetadataEndpoint:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "" if self.running else " (stopped)"
        return f"<MetadataEndpoint {self.url}{state}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


@dataclass
class Reply:
    """What a route answers: an HTTP status, a body and its content type (or no answer at all)."""

    status: int
    body: str
    content_type: str = "text/plain"
    drop: bool = False  # close the connection without answering (a packet that never arrives)


def start_server(route: Callable[[str, str, Mapping[str, str]], Reply]) -> ThreadingHTTPServer:
    """A threaded HTTP server on 127.0.0.1 (a free port) that answers with ``route``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            try:
                reply = route(self.command, self.path, self.headers)
            except Exception as error:  # noqa: BLE001 - a learner sees the reason, not a trace
                reply = Reply(500, f"The local metadata endpoint failed: {error}\n")
            if reply.drop:
                self.close_connection = True
                return
            data = reply.body.encode("utf-8")
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = _answer
        do_PUT = _answer
        do_POST = _answer

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet: notebooks should not show a request log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return server


def json_reply(document: Any, status: int = 200) -> Reply:
    """A JSON answer, indented as the ECS agent prints it."""
    return Reply(status, json.dumps(document, indent=4) + "\n", "application/json")


def text_reply(body: str, status: int = 200) -> Reply:
    """A plain-text answer, as IMDS gives every leaf and listing."""
    return Reply(status, body)


def base_url(server: ThreadingHTTPServer) -> str:
    """``http://127.0.0.1:PORT`` of a server from :func:`start_server`."""
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


def timestamp(seconds: float) -> str:
    """``seconds`` after :data:`REFERENCE_TIME`, in the agent's format (``...T00:00:05.000000Z``)."""
    moment = REFERENCE_TIME + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
