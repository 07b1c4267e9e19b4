"""The sandbox: a private, seeded moto AWS for every notebook, lab and solution.

The first cell of every notebook is ``sb = sandbox.start()``. It makes sure no call can reach real AWS:

* fake credentials and region are forced into the process, whatever the shell or ``~/.aws`` holds;
* moto answers every AWS call, either in-process (``mock_aws``, the default) or as a local server on
  127.0.0.1 (``server=True``) that the real ``aws`` CLI in ``!aws ecs ...`` cells talks to as well;
* endpoints that are not loopback are refused, and sockets to anything but loopback are blocked;
* moto's random source is seeded, so ARNs, task ids and instance ids are the same on every run;
* moto's ECS task lifecycle is manual (tasks stay RUNNING until stopped, as on real ECS);
* the kit's engine is installed, so moto's ECS backend places, validates and runs services like ECS.

Only one sandbox runs at a time: starting a new one stops the previous one (a lab's reset).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import os
import socket
import sys
import tempfile
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # boto3 is imported on first use: `ecs-workbook` commands start faster
    from botocore.client import BaseClient

REGION = "us-east-1"
ACCOUNT_ID = "123456789012"
FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}
#: Clients every sandbox has ready, as attributes (``sb.ecs``, ``sb.elbv2``, ...).
READY_CLIENTS = (
    "ecs",
    "ec2",
    "autoscaling",
    "cloudwatch",
    "application-autoscaling",
    "elbv2",
    "ssm",
    "secretsmanager",
    "iam",
)
#: Set by the grader: labs attach to the grader's moto server instead of starting their own.
ATTACH_ENV = "ECS_WORKBOOK_ENDPOINT"
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}
_ENV_TO_CLEAR = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_CA_BUNDLE",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


class SandboxError(RuntimeError):
    """The sandbox refused something that could reach real AWS, or could not start."""


def is_loopback_url(url: str) -> bool:
    """True when ``url`` points at this machine (127.0.0.0/8, ::1 or localhost)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def require_loopback(url: str) -> str:
    """Return ``url`` if it is a loopback endpoint; otherwise refuse with a learner-facing message."""
    if not is_loopback_url(url):
        raise SandboxError(
            f"Refusing endpoint {url!r}: the workbook only talks to moto on this machine "
            "(127.0.0.1 / localhost). Remove the endpoint_url argument or AWS_ENDPOINT_URL setting "
            "and use the clients the sandbox gives you (sb.ecs, sb.client('ecs'))."
        )
    return url


@dataclass
class Sandbox:
    """A running moto sandbox: ready boto3 clients bound to it, and how to reach it."""

    seed: int
    endpoint_url: str | None
    region: str = REGION
    _mock: Any = field(default=None, repr=False)
    _server: Any = field(default=None, repr=False)
    _clients: dict[str, BaseClient] = field(default_factory=dict, repr=False)

    def client(self, service_name: str, endpoint_url: str | None = None) -> BaseClient:
        """A boto3 client for ``service_name`` that can only talk to this sandbox."""
        if endpoint_url is not None:
            require_loopback(endpoint_url)
        url = endpoint_url or self.endpoint_url
        key = f"{service_name}@{url}"
        if key not in self._clients:
            import boto3
            from botocore.config import Config

            self._clients[key] = boto3.session.Session(region_name=self.region).client(
                service_name,
                region_name=self.region,
                endpoint_url=url,
                config=Config(retries={"max_attempts": 1, "mode": "standard"}),
            )
        return self._clients[key]

    def __getattr__(self, name: str) -> BaseClient:
        service = name.replace("_", "-")
        if service in READY_CLIENTS:
            return self.client(service)
        raise AttributeError(f"Sandbox has no attribute {name!r}")

    @property
    def clients(self) -> dict[str, BaseClient]:
        """The ready clients by service name."""
        return {name: self.client(name) for name in READY_CLIENTS}

    @property
    def running(self) -> bool:
        return _current is self

    def env(self) -> dict[str, str]:
        """The environment a shell (``!aws ...``) needs to reach this sandbox."""
        env = {**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": self.region, "AWS_REGION": self.region}
        env["AWS_MAX_ATTEMPTS"] = "1"
        if self.endpoint_url:
            env["AWS_ENDPOINT_URL"] = self.endpoint_url
        return env

    def export_lines(self) -> str:
        """``export`` lines to paste into a terminal so the ``aws`` CLI uses this sandbox."""
        return "\n".join(f"export {name}={value}" for name, value in sorted(self.env().items()))

    def stop(self) -> None:
        """Stop moto and forget its state. Safe to call twice."""
        global _current
        if self._server is not None:
            self._server.stop()
            self._server = None
        if self._mock is not None:
            self._mock.stop()
            self._mock = None
        self._clients.clear()
        if _current is self:
            _current = None
            os.environ.pop("AWS_ENDPOINT_URL", None)

    def reset(self) -> Sandbox:
        """Start over from an empty, identically seeded AWS (a lab's reset), in the same mode."""
        attached = self.endpoint_url is not None and self._server is None
        return start(
            seed=self.seed, server=self.endpoint_url if attached else bool(self.endpoint_url)
        )

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.endpoint_url or "in-process"
        return f"<Sandbox moto {where}, seed={self.seed}, region={self.region}>"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


_current: Sandbox | None = None


def current() -> Sandbox | None:
    """The running sandbox, if any."""
    return _current


def start(seed: int = 0, server: bool | str = False) -> Sandbox:
    """Start a fresh, seeded moto sandbox and return it.

    ``server=False`` runs moto in this process (fast, no ports). ``server=True`` runs moto's threaded
    server on 127.0.0.1 on a free port and exports ``AWS_ENDPOINT_URL``, so ``!aws ecs ...`` cells and
    boto3 see the same state. A URL (or the ``ECS_WORKBOOK_ENDPOINT`` variable the grader sets)
    attaches to an existing local moto server instead.
    """
    global _current
    if _current is not None:
        _current.stop()
    attach_url = server if isinstance(server, str) else os.environ.get(ATTACH_ENV)
    if attach_url:
        require_loopback(attach_url)
    _force_fake_credentials()
    block_non_loopback_sockets()
    if not attach_url:
        # An attached server (the grader's) runs the engine in its own process.
        from ecs_workbook import engine

        engine.install()
    if attach_url:
        sandbox = Sandbox(seed=seed, endpoint_url=attach_url.rstrip("/"))
        _prepare_server(sandbox.endpoint_url, seed)
    elif server:
        sandbox = _start_server(seed)
    else:
        sandbox = _start_in_process(seed)
    if sandbox.endpoint_url:
        os.environ["AWS_ENDPOINT_URL"] = sandbox.endpoint_url
    else:
        os.environ.pop("AWS_ENDPOINT_URL", None)
    _current = sandbox
    return sandbox


def _force_fake_credentials() -> None:
    """Make boto3 and the aws CLI in this process use moto's fake identity, never a real one."""
    for name in _ENV_TO_CLEAR:
        os.environ.pop(name, None)
    for name in list(os.environ):
        if name.startswith("AWS_ENDPOINT_URL"):
            os.environ.pop(name)
    os.environ.update(FAKE_CREDENTIALS)
    os.environ.update(
        {
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_SHARED_CREDENTIALS_FILE": _empty_file("credentials"),
            "AWS_CONFIG_FILE": _empty_file("config"),
            "MOTO_ALLOW_NONEXISTENT_REGION": "false",
        }
    )
    # `!aws ...` cells must find the aws CLI installed beside this Python, even outside the venv.
    here = os.path.dirname(sys.executable)
    if here not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = here + os.pathsep + os.environ.get("PATH", "")


def _empty_file(name: str) -> str:
    path = os.path.join(tempfile.gettempdir(), f"ecs-workbook-empty-aws-{name}")
    with open(path, "w", encoding="utf-8"):
        pass
    return path


def block_non_loopback_sockets() -> None:
    """Block every network connection except to this machine (loopback and Unix sockets)."""
    from pytest_socket import socket_allow_hosts

    socket_allow_hosts(["127.0.0.1", "localhost", "::1"], allow_unix_socket=True)


def _seed_and_pin(seed: int) -> None:
    from moto.moto_api import state_manager
    from moto.moto_api._internal import mock_random

    mock_random.seed(seed)
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})


def _start_in_process(seed: int) -> Sandbox:
    from moto import mock_aws
    from moto.core.models import BackendDict

    BackendDict.reset()
    _seed_and_pin(seed)
    mock = mock_aws()
    mock.start(reset=False)
    return Sandbox(seed=seed, endpoint_url=None, _mock=mock)


def _start_server(seed: int) -> Sandbox:
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    _prepare_server(url, seed)
    return Sandbox(seed=seed, endpoint_url=url, _server=server)


def _prepare_server(url: str, seed: int) -> None:
    """Reset, seed and pin task states on a moto server, through its HTTP API."""
    try:
        _post(f"{url}/moto-api/reset")
        _post(f"{url}/moto-api/seed?a={int(seed)}")
        body = {"model_name": "ecs::task", "transition": {"progression": "manual", "times": 10**9}}
        _post(f"{url}/moto-api/state-manager/set-transition", json.dumps(body).encode())
    except OSError as error:
        raise SandboxError(
            f"Could not reach the moto server at {url} ({error}). "
            "Is it running? Start one with: python -m ecs_workbook server"
        ) from None


def _post(url: str, data: bytes = b"") -> None:
    request = urllib.request.Request(url, data=data, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
        response.read()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
