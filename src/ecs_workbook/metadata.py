"""What a container can learn about where it runs, and what ECS injects into it.

On AWS a container has two local HTTP services to ask about its surroundings:

* the **task metadata endpoint v4**, served by the ECS agent at ``http://169.254.170.2/v4/<id>``
  and announced in the ``ECS_CONTAINER_METADATA_URI_V4`` environment variable: this container, its
  task (``/task``) and Docker stats (``/stats``, ``/task/stats``);
* the **EC2 instance metadata service** (IMDS) at ``http://169.254.169.254``: the instance id, its
  Availability Zone, the user data and the instance role's credentials, behind the IMDSv2 token.

moto has neither. :func:`serve_task_metadata` and :func:`serve_instance_metadata` start small local
servers on 127.0.0.1 that answer with the documented JSON and text shapes, built from the sandbox's
real task, task-definition, container-instance and EC2 state, so code written for those endpoints
can be tried here. Ids the agent or Docker would invent (Docker ids, image digests) are derived
from the ARNs, and timestamps are pinned to :data:`REFERENCE_TIME`, so every run prints the same.

The second half is what the agent does with ``secrets`` and ``environmentFiles`` before a container
starts: :func:`resolve_secrets` and :func:`container_environment` fetch the values from SSM
Parameter Store, Secrets Manager and S3 as the agent would with the task execution role, because
moto never resolves (or checks) a ``valueFrom``.

- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import random
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ecs_workbook import taskdef

__all__ = [
    "IMDS_MAX_TOKEN_TTL_SECONDS",
    "IMDS_TOKEN_HEADER",
    "IMDS_TOKEN_TTL_HEADER",
    "INSTANCE_METADATA_ADDRESS",
    "METADATA_URI_V3_ENV",
    "METADATA_URI_V4_ENV",
    "REFERENCE_TIME",
    "TASK_EXECUTION_TRUST_POLICY",
    "TASK_METADATA_ADDRESS",
    "MetadataEndpoint",
    "MetadataError",
    "SecretReference",
    "SecretResolutionError",
    "container_environment",
    "container_metadata",
    "container_stats",
    "execution_role_policy",
    "parse_environment_file",
    "parse_value_from",
    "resolve_secrets",
    "serve_instance_metadata",
    "serve_task_metadata",
    "task_metadata",
    "task_stats",
]

#: Where the ECS agent serves task metadata on AWS (a link-local address inside the task).
TASK_METADATA_ADDRESS = "169.254.170.2"
#: Where EC2 serves instance metadata on AWS (link-local, answered by the Nitro hypervisor).
INSTANCE_METADATA_ADDRESS = "169.254.169.254"
#: The variables the agent (>= 1.39.0 for v4) injects into every container.
METADATA_URI_V4_ENV = "ECS_CONTAINER_METADATA_URI_V4"
METADATA_URI_V3_ENV = "ECS_CONTAINER_METADATA_URI"
#: IMDSv2 headers: ask for a token with a TTL, then send it with every GET.
IMDS_TOKEN_TTL_HEADER = "X-aws-ec2-metadata-token-ttl-seconds"
IMDS_TOKEN_HEADER = "X-aws-ec2-metadata-token"
IMDS_MAX_TOKEN_TTL_SECONDS = 21600
#: Every timestamp the local endpoints report is an offset from this instant (stable outputs).
REFERENCE_TIME = datetime(2024, 1, 1, tzinfo=UTC)
#: Who may assume a task execution role: the ECS tasks service principal.
TASK_EXECUTION_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}

_PAUSE_NAME = "~internal~ecs~pause"
_PAUSE_IMAGE = "amazon/amazon-ecs-pause:0.1.0"
_LABEL = "com.amazonaws.ecs."
_DOCKER_BRIDGE_PREFIX = "172.17.0."
_V4_ONLY_TASK_KEYS = ("LaunchType", "VPCID", "ServiceName", "ClockDrift", "EphemeralStorageMetrics")
_V4_ONLY_CONTAINER_KEYS = ("LogDriver", "LogOptions", "ContainerARN")
_V4_ONLY_NETWORK_KEYS = (
    "AttachmentIndex",
    "MACAddress",
    "IPv4SubnetCIDRBlock",
    "PrivateDNSName",
    "SubnetGatewayIpv4Address",
)
#: Fake instance-role credentials the local IMDS hands out (they open nothing: moto ignores them).
_FAKE_ROLE_CREDENTIALS = {
    "AccessKeyId": "ASIAWORKBOOKEXAMPLE0",
    "SecretAccessKey": "workbook/EXAMPLE/instance-role/not-a-real-key",
    "Token": "workbook-example-session-token-not-valid-anywhere",
}


class MetadataError(RuntimeError):
    """A local metadata endpoint could not be started for what was asked (unknown task, ...)."""


class SecretResolutionError(ValueError):
    """A ``secrets`` or ``environmentFiles`` entry that the ECS agent could not resolve."""


# =============================================================================================
# The local servers
# =============================================================================================


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
class _Reply:
    status: int
    body: str
    content_type: str = "text/plain"
    drop: bool = False  # close the connection without answering (a packet that never arrives)


def _start_server(route: Callable[[str, str, Mapping[str, str]], _Reply]) -> ThreadingHTTPServer:
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
                reply = _Reply(500, f"The local metadata endpoint failed: {error}\n")
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


def _json(document: Any, status: int = 200) -> _Reply:
    return _Reply(status, json.dumps(document, indent=4) + "\n", "application/json")


def _text(body: str, status: int = 200) -> _Reply:
    return _Reply(status, body)


def _base_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


# =============================================================================================
# Task metadata endpoint v4 (and v3)
# =============================================================================================


def serve_task_metadata(
    ecs_client: Any,
    cluster: str,
    task_arn: str,
    container_name: str | None = None,
) -> MetadataEndpoint:
    """Serve the task metadata endpoint of one container of a task, on 127.0.0.1.

    Exports ``ECS_CONTAINER_METADATA_URI_V4`` (and ``ECS_CONTAINER_METADATA_URI``, v3) into
    ``os.environ`` as the agent injects them into the container, so ``curl
    $ECS_CONTAINER_METADATA_URI_V4/task`` style code works. ``container_name`` defaults to the
    task definition's first container. Every request reads the task afresh from ECS (moto), so a
    stopped task shows ``KnownStatus`` STOPPED. Paths: ``${URI}``, ``/task``, ``/taskWithTags``,
    ``/stats``, ``/task/stats``.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html
    """
    snapshot = _TaskSnapshot.load(ecs_client, cluster, task_arn)
    names = [c.get("name") for c in snapshot.definitions]
    chosen = container_name or names[0]
    if chosen not in names:
        raise MetadataError(
            f"Task {task_arn} has no container named {chosen!r}; its containers are "
            f"{', '.join(map(repr, names))}. Pass one of those as container_name."
        )
    ids = {name: _endpoint_id(snapshot.container_arn(name)) for name in names}
    by_id = {endpoint_id: name for name, endpoint_id in ids.items()}
    task_ref = snapshot.task["taskArn"]

    def route(method: str, path: str, headers: Mapping[str, str]) -> _Reply:
        match = re.fullmatch(r"/(v3|v4)/([0-9a-f-]+)(/[A-Za-z/]*)?", path.split("?")[0])
        if method != "GET" or not match or match.group(2) not in by_id:
            return _text("404 page not found\n", 404)
        version, endpoint_id, rest = match.group(1), match.group(2), (match.group(3) or "")
        name = by_id[endpoint_id]
        current = _TaskSnapshot.load(ecs_client, cluster, task_ref)
        documents: dict[str, Callable[[], Any]] = {
            "": lambda: current.container_document(name),
            "/task": current.task_document,
            "/taskWithTags": current.task_document_with_tags,
            "/stats": lambda: current.stats_document(name),
            "/task/stats": current.task_stats_document,
        }
        builder = documents.get(rest.rstrip("/") if rest != "/" else "")
        if builder is None:
            return _text("404 page not found\n", 404)
        document = builder()
        return _json(_as_v3(document, rest) if version == "v3" else document)

    server = _start_server(route)
    base = _base_url(server)
    urls = {name: f"{base}/v4/{endpoint_id}" for name, endpoint_id in ids.items()}
    environment = {
        METADATA_URI_V4_ENV: urls[chosen],
        METADATA_URI_V3_ENV: f"{base}/v3/{ids[chosen]}",
    }
    saved = {name: os.environ.get(name) for name in environment}
    os.environ.update(environment)
    return MetadataEndpoint(
        url=urls[chosen],
        environment=environment,
        container_urls=urls,
        _server=server,
        _saved_environment=saved,
    )


def task_metadata(ecs_client: Any, cluster: str, task_arn: str) -> dict:
    """The ``${ECS_CONTAINER_METADATA_URI_V4}/task`` document for a task (no server needed)."""
    return _TaskSnapshot.load(ecs_client, cluster, task_arn).task_document()


def container_metadata(
    ecs_client: Any, cluster: str, task_arn: str, container_name: str | None = None
) -> dict:
    """The ``${ECS_CONTAINER_METADATA_URI_V4}`` document of one container (default: the first)."""
    snapshot = _TaskSnapshot.load(ecs_client, cluster, task_arn)
    return snapshot.container_document(container_name or snapshot.definitions[0]["name"])


def container_stats(
    ecs_client: Any, cluster: str, task_arn: str, container_name: str | None = None
) -> dict:
    """The ``/stats`` document of one container: a deterministic Docker stats sample."""
    snapshot = _TaskSnapshot.load(ecs_client, cluster, task_arn)
    return snapshot.stats_document(container_name or snapshot.definitions[0]["name"])


def task_stats(ecs_client: Any, cluster: str, task_arn: str) -> dict:
    """The ``/task/stats`` document: Docker stats of every container, keyed by Docker id."""
    return _TaskSnapshot.load(ecs_client, cluster, task_arn).task_stats_document()


def _endpoint_id(container_arn: str) -> str:
    """The id in ``/v4/<id>``: the agent picks a random UUID per container; here a stable one."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, container_arn))


def _hex(seed: str, length: int) -> str:
    digest = ""
    counter = 0
    while len(digest) < length:
        digest += hashlib.sha256(f"{seed}#{counter}".encode()).hexdigest()
        counter += 1
    return digest[:length]


def _timestamp(seconds: float) -> str:
    moment = REFERENCE_TIME + timedelta(seconds=seconds)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _as_v3(document: Any, path: str) -> Any:
    """Version 3 has the same shapes minus the fields added in v4."""
    if path.rstrip("/").endswith("stats"):
        return document
    if isinstance(document, dict) and "Containers" in document:
        out = {k: v for k, v in document.items() if k not in _V4_ONLY_TASK_KEYS}
        out["Containers"] = [_as_v3(c, "") for c in document["Containers"]]
        return out
    out = {k: v for k, v in document.items() if k not in _V4_ONLY_CONTAINER_KEYS}
    if "Networks" in out:
        out["Networks"] = [
            {k: v for k, v in n.items() if k not in _V4_ONLY_NETWORK_KEYS} for n in out["Networks"]
        ]
    return out


@dataclass
class _TaskSnapshot:
    """One read of a task and what surrounds it, turned into the agent's documents."""

    ecs: Any
    cluster: dict
    task: dict
    task_definition: dict
    container_instance: dict | None
    bridge_offset: int
    subnet_cidr: str | None

    @classmethod
    def load(cls, ecs_client: Any, cluster: str, task_arn: str) -> _TaskSnapshot:
        described = ecs_client.describe_tasks(cluster=cluster, tasks=[task_arn])
        if not described.get("tasks"):
            raise MetadataError(
                f"ECS has no task {task_arn!r} in cluster {cluster!r}. Run one first "
                "(ecs.run_task) and pass its taskArn from the response."
            )
        task = described["tasks"][0]
        clusters = ecs_client.describe_clusters(clusters=[task["clusterArn"]])["clusters"]
        definition = ecs_client.describe_task_definition(taskDefinition=task["taskDefinitionArn"])
        container_instance = None
        offset = 0
        if task.get("containerInstanceArn"):
            container_instance = ecs_client.describe_container_instances(
                cluster=task["clusterArn"], containerInstances=[task["containerInstanceArn"]]
            )["containerInstances"][0]
            offset = _bridge_offset(ecs_client, task)
        return cls(
            ecs=ecs_client,
            cluster=clusters[0] if clusters else {"clusterName": cluster},
            task=task,
            task_definition=definition["taskDefinition"],
            container_instance=container_instance,
            bridge_offset=offset,
            subnet_cidr=_subnet_cidr(ecs_client, task),
        )

    # ---- facts ---------------------------------------------------------------------------

    @property
    def definitions(self) -> list[dict]:
        return list(self.task_definition.get("containerDefinitions") or [])

    @property
    def fargate(self) -> bool:
        return self.task.get("launchType") == "FARGATE"

    @property
    def network_mode(self) -> str:
        return self.task_definition.get("networkMode") or "bridge"

    @property
    def task_id(self) -> str:
        return self.task["taskArn"].rsplit("/", 1)[-1]

    @property
    def cluster_label(self) -> str:
        """The agent reports the cluster as configured (a name on EC2); Fargate gives the ARN."""
        if self.fargate:
            return self.cluster.get("clusterArn") or self.task["clusterArn"]
        return self.cluster.get("clusterName") or self.task["clusterArn"].rsplit("/", 1)[-1]

    def container_arn(self, name: str) -> str:
        for container in self.task.get("containers") or []:
            if container.get("name") == name:
                return container["containerArn"]
        return f"{self.task['taskArn']}/{name}"

    def _attribute(self, name: str) -> str | None:
        for attribute in (self.container_instance or {}).get("attributes") or []:
            if attribute.get("name") == name:
                return attribute.get("value")
        return None

    def _registered(self, name: str) -> int | None:
        for resource in (self.container_instance or {}).get("registeredResources") or []:
            if resource.get("name") == name:
                return int(resource.get("integerValue") or 0)
        return None

    def _attachment(self) -> dict[str, str]:
        for attachment in self.task.get("attachments") or []:
            if attachment.get("type") == "ElasticNetworkInterface":
                return {d["name"]: d["value"] for d in attachment.get("details") or []}
        return {}

    def _online_cpus(self) -> int:
        if self.fargate:
            return max(1, -(-int(self.task.get("cpu") or 1024) // 1024))
        return max(1, (self._registered("CPU") or 2048) // 1024)

    # ---- container documents --------------------------------------------------------------

    def _networks(self, index: int) -> list[dict]:
        mode = self.network_mode
        if mode == "awsvpc":
            eni = self._attachment()
            ip = eni.get("privateIPv4Address")
            network: dict[str, Any] = {"NetworkMode": "awsvpc"}
            if ip:
                network["IPv4Addresses"] = [ip]
            network["AttachmentIndex"] = 0
            if eni.get("macAddress"):
                network["MACAddress"] = eni["macAddress"]
            if self.subnet_cidr:
                network["IPv4SubnetCIDRBlock"] = self.subnet_cidr
            if eni.get("privateDnsName"):
                network["PrivateDNSName"] = eni["privateDnsName"]
            if self.subnet_cidr:
                network["SubnetGatewayIpv4Address"] = _gateway(self.subnet_cidr)
            return [network]
        if mode == "bridge":
            address = f"{_DOCKER_BRIDGE_PREFIX}{2 + self.bridge_offset + index}"
            return [{"NetworkMode": "bridge", "IPv4Addresses": [address]}]
        return [{"NetworkMode": mode}]

    def _labels(self, name: str) -> dict[str, str]:
        family = self.task_definition.get("family", "")
        return {
            f"{_LABEL}cluster": self.cluster_label,
            f"{_LABEL}container-name": name,
            f"{_LABEL}task-arn": self.task["taskArn"],
            f"{_LABEL}task-definition-family": family,
            f"{_LABEL}task-definition-version": str(self.task_definition.get("revision", "")),
        }

    def _docker_name(self, name: str) -> str:
        family = self.task_definition.get("family", "")
        revision = self.task_definition.get("revision", "")
        safe = re.sub(r"[^A-Za-z0-9_.-]", "", name)
        return f"ecs-{family}-{revision}-{safe}-{_hex(self.container_arn(name) + 'name', 20)}"

    def _docker_id(self, name: str) -> str:
        return _hex(self.container_arn(name), 64)

    def _status_fields(self, container: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "DesiredStatus": self.task.get("desiredStatus", "RUNNING"),
            "KnownStatus": container.get("lastStatus") or self.task.get("lastStatus", "RUNNING"),
        }

    def container_document(self, name: str) -> dict:
        definitions = {d["name"]: (i, d) for i, d in enumerate(self.definitions)}
        if name not in definitions:
            raise MetadataError(f"Task {self.task['taskArn']} has no container named {name!r}.")
        index, definition = definitions[name]
        described = next(
            (c for c in self.task.get("containers") or [] if c.get("name") == name), {}
        )
        doc: dict[str, Any] = {
            "DockerId": self._docker_id(name),
            "Name": name,
            "DockerName": self._docker_name(name),
            "Image": definition.get("image", ""),
            "ImageID": "sha256:" + _hex("image:" + definition.get("image", ""), 64),
        }
        ports = _ports(described, definition, self.network_mode)
        if ports:
            doc["Ports"] = ports
        doc["Labels"] = {**(definition.get("dockerLabels") or {}), **self._labels(name)}
        doc.update(self._status_fields(described))
        stopped = doc["KnownStatus"] == "STOPPED"
        if stopped:
            doc["ExitCode"] = described.get("exitCode", 0)
        doc["Limits"] = {
            "CPU": int(definition.get("cpu") or 0),
            "Memory": int(definition.get("memory") or 0),
        }
        doc["CreatedAt"] = _timestamp(4 + index * 0.25)
        doc["StartedAt"] = _timestamp(5 + index * 0.25)
        if stopped:
            doc["FinishedAt"] = _timestamp(3600)
        doc["Type"] = "NORMAL"
        log = definition.get("logConfiguration") or {}
        if log.get("logDriver"):
            doc["LogDriver"] = log["logDriver"]
            doc["LogOptions"] = self._log_options(name, log)
        doc["ContainerARN"] = self.container_arn(name)
        doc["Networks"] = self._networks(index)
        return doc

    def _log_options(self, name: str, log: Mapping[str, Any]) -> dict[str, str]:
        options = dict(log.get("options") or {})
        prefix = options.get("awslogs-stream-prefix")
        if log.get("logDriver") == "awslogs" and prefix:
            # The agent names the stream prefix/container-name/task-id. using_awslogs.html
            options.pop("awslogs-stream-prefix")
            options["awslogs-stream"] = f"{prefix}/{name}/{self.task_id}"
        return dict(sorted(options.items()))

    def _pause_document(self) -> dict:
        arn = f"{self.task['taskArn']}/{_PAUSE_NAME}"
        labels = self._labels(_PAUSE_NAME)
        return {
            "DockerId": _hex(arn, 64),
            "Name": _PAUSE_NAME,
            "DockerName": (
                f"ecs-{self.task_definition.get('family', '')}-"
                f"{self.task_definition.get('revision', '')}-internalecspause-{_hex(arn, 20)}"
            ),
            "Image": _PAUSE_IMAGE,
            "ImageID": "",
            "Labels": labels,
            "DesiredStatus": "RESOURCES_PROVISIONED",
            "KnownStatus": "RESOURCES_PROVISIONED",
            "Limits": {"CPU": 0, "Memory": 0},
            "CreatedAt": _timestamp(3.5),
            "StartedAt": _timestamp(3.75),
            "Type": "CNI_PAUSE",
            "Networks": self._networks(0),
        }

    # ---- task documents --------------------------------------------------------------------

    def _containers(self) -> list[dict]:
        documents = [self.container_document(d["name"]) for d in self.definitions]
        if self.network_mode == "awsvpc" and not self.fargate:
            documents.insert(0, self._pause_document())
        return documents

    def task_document(self) -> dict:
        doc: dict[str, Any] = {
            "Cluster": self.cluster_label,
            "TaskARN": self.task["taskArn"],
            "Family": self.task_definition.get("family", ""),
            "Revision": str(self.task_definition.get("revision", "")),
        }
        group = self.task.get("group") or ""
        if group.startswith("service:"):
            doc["ServiceName"] = group.split(":", 1)[1]
        doc["DesiredStatus"] = self.task.get("desiredStatus", "RUNNING")
        doc["KnownStatus"] = self.task.get("lastStatus", "RUNNING")
        limits = _task_limits(self.task_definition)
        if limits:
            doc["Limits"] = limits
        doc["PullStartedAt"] = _timestamp(1)
        doc["PullStoppedAt"] = _timestamp(3)
        zone = self.task.get("availabilityZone") or self._attribute("ecs.availability-zone")
        if zone:
            doc["AvailabilityZone"] = zone
        vpc = self._attribute("ecs.vpc-id")
        if vpc and not self.fargate:
            doc["VPCID"] = vpc
        doc["LaunchType"] = self.task.get("launchType") or "EC2"
        doc["Containers"] = self._containers()
        if doc["KnownStatus"] == "STOPPED":
            doc["ExecutionStoppedAt"] = _timestamp(3600)
        if self.fargate:
            doc["ClockDrift"] = {
                "ClockErrorBound": 0.5,
                "ReferenceTimestamp": _timestamp(0),
                "ClockSynchronizationStatus": "SYNCHRONIZED",
            }
            size_gib = (self.task_definition.get("ephemeralStorage") or {}).get("sizeInGiB", 20)
            doc["EphemeralStorageMetrics"] = {"Utilized": 251, "Reserved": int(size_gib) * 1024}
        return doc

    def task_document_with_tags(self) -> dict:
        doc = self.task_document()
        tagged = {
            "TaskTags": self.task["taskArn"],
            "ContainerInstanceTags": self.task.get("containerInstanceArn"),
        }
        extra: dict[str, Any] = {}
        for key, arn in tagged.items():
            if not arn:
                continue
            try:
                tags = self.ecs.list_tags_for_resource(resourceArn=arn).get("tags") or []
            except Exception:  # noqa: BLE001 - an absent tag list is not an error here
                tags = []
            extra[key] = {t["key"]: t["value"] for t in tags}
        containers = doc.pop("Containers")
        launch_type = doc.pop("LaunchType")
        doc.update(extra)
        doc["LaunchType"] = launch_type
        doc["Containers"] = containers
        return doc

    # ---- stats -------------------------------------------------------------------------------

    def stats_document(self, name: str) -> dict:
        return _stats(self.container_document(name), self)

    def task_stats_document(self) -> dict:
        return {doc["DockerId"]: _stats(doc, self) for doc in self._containers()}


def _ports(described: Mapping[str, Any], definition: Mapping[str, Any], mode: str) -> list[dict]:
    bindings = described.get("networkBindings") or []
    if bindings:
        return [
            {
                "ContainerPort": b.get("containerPort"),
                "Protocol": b.get("protocol", "tcp"),
                "HostPort": b.get("hostPort"),
                "HostIp": b.get("bindIP", "0.0.0.0"),
            }
            for b in bindings
        ]
    if mode == "awsvpc":
        return [
            {
                "ContainerPort": m.get("containerPort"),
                "Protocol": m.get("protocol", "tcp"),
                "HostPort": m.get("containerPort"),
            }
            for m in definition.get("portMappings") or []
        ]
    return []


def _task_limits(task_definition: Mapping[str, Any]) -> dict[str, Any]:
    """Task-level limits: CPU in vCPUs, memory in MiB; omitted when not set at task level."""
    limits: dict[str, Any] = {}
    if task_definition.get("cpu"):
        limits["CPU"] = taskdef.parse_cpu(task_definition["cpu"]) / taskdef.CPU_UNITS_PER_VCPU
    if task_definition.get("memory"):
        limits["Memory"] = taskdef.parse_memory_mib(task_definition["memory"])
    return limits


def _gateway(cidr: str) -> str:
    network, prefix = cidr.split("/")
    octets = network.split(".")
    octets[-1] = str(int(octets[-1]) + 1)
    return ".".join(octets) + "/" + prefix


def _bridge_offset(ecs_client: Any, task: Mapping[str, Any]) -> int:
    """How many containers of earlier tasks on the same instance hold docker0 addresses."""
    arns = ecs_client.list_tasks(cluster=task["clusterArn"]).get("taskArns") or []
    arns = arns[: arns.index(task["taskArn"])] if task["taskArn"] in arns else arns
    offset = 0
    for start in range(0, len(arns), 100):
        described = ecs_client.describe_tasks(
            cluster=task["clusterArn"], tasks=arns[start : start + 100]
        )
        for other in described.get("tasks") or []:
            same_host = other.get("containerInstanceArn") == task.get("containerInstanceArn")
            if same_host and other.get("lastStatus") != "STOPPED":
                offset += len(other.get("containers") or [])
    return offset


def _subnet_cidr(ecs_client: Any, task: Mapping[str, Any]) -> str | None:
    for attachment in task.get("attachments") or []:
        details = {d["name"]: d["value"] for d in attachment.get("details") or []}
        if details.get("subnetId"):
            try:
                ec2 = _sibling_client(ecs_client, "ec2")
                subnets = ec2.describe_subnets(SubnetIds=[details["subnetId"]])["Subnets"]
                return subnets[0]["CidrBlock"] if subnets else None
            except Exception:  # noqa: BLE001 - the CIDR is optional in the document
                return None
    return None


def _stats(container: Mapping[str, Any], snapshot: _TaskSnapshot) -> dict:
    """A Docker stats sample for one container, the same on every call (seeded by its id)."""
    rng = random.Random(container["DockerId"])
    pause = container.get("Type") == "CNI_PAUSE"
    online_cpus = snapshot._online_cpus()
    memory_mib = (container.get("Limits") or {}).get("Memory") or 0
    host_mib = snapshot._registered("MEMORY") or int(snapshot.task.get("memory") or 0) or 3904
    limit = (memory_mib or host_mib) * 2**20
    usage = 180 * 2**10 if pause else int(limit * rng.uniform(0.15, 0.55))
    cpu_fraction = 0.0 if pause else rng.uniform(0.02, 0.30)  # of one vCPU over the interval
    interval_ns = 1_000_000_000
    base_total = rng.randrange(10**8, 10**9)
    base_system = rng.randrange(10**13, 10**14)

    def cpu(total: int, system: int) -> dict:
        return {
            "cpu_usage": {
                "total_usage": total,
                "usage_in_kernelmode": total // 5,
                "usage_in_usermode": total - total // 5,
            },
            "system_cpu_usage": system,
            "online_cpus": online_cpus,
            "throttling_data": {"periods": 0, "throttled_periods": 0, "throttled_time": 0},
        }

    rx = rng.randrange(10**4, 10**7)
    tx = rng.randrange(10**4, 10**7)
    stats: dict[str, Any] = {
        "read": _timestamp(3600),
        "preread": _timestamp(3599),
        "pids_stats": {"current": 1 if pause else rng.randrange(2, 12)},
        "blkio_stats": {"io_service_bytes_recursive": [], "io_serviced_recursive": []},
        "num_procs": 0,
        "storage_stats": {},
        "cpu_stats": cpu(
            base_total + int(cpu_fraction * interval_ns), base_system + online_cpus * interval_ns
        ),
        "precpu_stats": cpu(base_total, base_system),
        "memory_stats": {
            "usage": usage,
            "max_usage": int(usage * 1.25),
            "stats": {"cache": usage // 8, "rss": usage - usage // 8, "pgfault": 4185},
            "limit": limit,
        },
        "name": "/" + container["DockerName"],
        "id": container["DockerId"],
        "networks": {
            "eth0": {
                "rx_bytes": rx,
                "rx_packets": rx // 900,
                "rx_errors": 0,
                "rx_dropped": 0,
                "tx_bytes": tx,
                "tx_packets": tx // 900,
                "tx_errors": 0,
                "tx_dropped": 0,
            }
        },
    }
    if snapshot.network_mode in ("awsvpc", "bridge"):
        stats["network_rate_stats"] = {
            "rx_bytes_per_sec": round(rx / 3600, 1),
            "tx_bytes_per_sec": round(tx / 3600, 1),
        }
    return stats


def _sibling_client(client: Any, service_name: str) -> Any:
    """A boto3 client for ``service_name`` that reaches the same moto as ``client``."""
    import boto3

    from ecs_workbook import sandbox

    endpoint_url = client.meta.endpoint_url
    if "amazonaws.com" in endpoint_url:
        endpoint_url = None  # in-process moto intercepts the real endpoint
    current = sandbox.current()
    if current is not None and current.endpoint_url == endpoint_url:
        return current.client(service_name)  # cached: building a client takes a while
    return boto3.session.Session().client(
        service_name, region_name=client.meta.region_name, endpoint_url=endpoint_url
    )


# =============================================================================================
# EC2 instance metadata service (IMDSv2)
# =============================================================================================


def serve_instance_metadata(
    ec2_client: Any,
    instance_id: str,
    user_data: str | None = None,
    *,
    extra_hops: int = 0,
    iam_client: Any = None,
) -> MetadataEndpoint:
    """Serve the instance metadata service of one moto EC2 instance, on 127.0.0.1.

    IMDSv2: ``PUT /latest/api/token`` with ``X-aws-ec2-metadata-token-ttl-seconds`` (1-21600)
    returns a token to send as ``X-aws-ec2-metadata-token`` on every GET. A GET without a token
    works only while the instance's ``HttpTokens`` is ``optional`` (IMDSv1); with ``required`` it
    gets 401. ``extra_hops`` says how far the caller is from the instance (1 = a container on
    Docker's bridge network): when ``1 + extra_hops`` exceeds ``HttpPutResponseHopLimit`` the token
    response never arrives (here: the connection closes without an answer; on AWS the client
    waits until its timeout). Options are read from EC2 on every request, so
    ``modify_instance_metadata_options`` takes effect at once. ``user_data`` overrides what EC2
    stores. Paths: ``meta-data/`` (``ami-id``, ``hostname``, ``instance-id``, ``instance-type``,
    ``local-hostname``, ``local-ipv4``, ``mac``, ``placement/availability-zone``,
    ``placement/region``, ``iam/info``, ``iam/security-credentials/<role>``), ``user-data`` and
    ``dynamic/instance-identity/document``.
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
    https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/instancedata-data-retrieval.html
    """
    if extra_hops < 0:
        raise ValueError(f"extra_hops must be 0 or more (got {extra_hops}).")
    launched, _ = _describe_instance(ec2_client, instance_id)  # fails here if unknown
    tokens: dict[str, float] = {}
    lock = threading.Lock()
    last_options: dict[str, Any] = {"HttpTokens": "optional", "HttpPutResponseHopLimit": 1}
    last_options.update(launched.get("MetadataOptions") or {})

    def options(instance: Mapping[str, Any]) -> dict[str, Any]:
        # moto's ModifyInstanceMetadataOptions drops the fields it was not given; AWS keeps them.
        with lock:
            last_options.update(instance.get("MetadataOptions") or {})
            return dict(last_options)

    def route(method: str, path: str, headers: Mapping[str, str]) -> _Reply:
        path = path.split("?")[0]
        instance, owner = _describe_instance(ec2_client, instance_id)
        current = options(instance)
        if path == "/latest/api/token":
            if method != "PUT":
                return _text("405 - Method Not Allowed\n", 405)
            if 1 + extra_hops > int(current.get("HttpPutResponseHopLimit") or 1):
                return _Reply(200, "", drop=True)
            ttl = headers.get(IMDS_TOKEN_TTL_HEADER, "")
            if not ttl.isdigit() or not 1 <= int(ttl) <= IMDS_MAX_TOKEN_TTL_SECONDS:
                return _text("400 - Missing or Invalid Parameters\n", 400)
            with lock:
                seed = f"{instance_id}:{len(tokens)}"
                token = base64.b64encode(hashlib.sha256(seed.encode()).digest()).decode()
                tokens[token] = time.monotonic() + int(ttl)
            return _text(token)
        if method != "GET":
            return _text("405 - Method Not Allowed\n", 405)
        token = headers.get(IMDS_TOKEN_HEADER)
        if token is not None:
            with lock:
                expiry = tokens.get(token)
            if expiry is None or expiry < time.monotonic():
                return _text("401 - Unauthorized\n", 401)
        elif current.get("HttpTokens") == "required":
            return _text("401 - Unauthorized\n", 401)
        return _instance_path(ec2_client, iam_client, instance, owner, path, user_data)

    server = _start_server(route)
    return MetadataEndpoint(url=_base_url(server), _server=server)


def _describe_instance(ec2_client: Any, instance_id: str) -> tuple[dict, str]:
    from botocore.exceptions import ClientError

    try:
        reservations = ec2_client.describe_instances(InstanceIds=[instance_id])["Reservations"]
    except ClientError:
        reservations = []
    if not reservations or not reservations[0].get("Instances"):
        raise MetadataError(
            f"EC2 has no instance {instance_id!r} in this sandbox. Launch one with "
            "ec2.run_instances(...) and pass its InstanceId."
        )
    return reservations[0]["Instances"][0], reservations[0].get("OwnerId", "")


def _instance_path(
    ec2_client: Any,
    iam_client: Any,
    instance: Mapping[str, Any],
    owner: str,
    path: str,
    user_data: str | None,
) -> _Reply:
    from ecs_workbook.instances import _identity_document

    zone = instance["Placement"]["AvailabilityZone"]
    interface = (instance.get("NetworkInterfaces") or [{}])[0]
    role = _instance_role(ec2_client, iam_client, instance)
    leaves = {
        "ami-id": instance["ImageId"],
        "hostname": instance.get("PrivateDnsName", ""),
        "instance-id": instance["InstanceId"],
        "instance-type": instance["InstanceType"],
        "local-hostname": instance.get("PrivateDnsName", ""),
        "local-ipv4": instance.get("PrivateIpAddress", ""),
        "mac": interface.get("MacAddress", ""),
        "placement/availability-zone": zone,
        "placement/region": zone[:-1],
    }
    if role:
        profile = instance.get("IamInstanceProfile") or {}
        leaves["iam/info"] = json.dumps(
            {
                "Code": "Success",
                "LastUpdated": _timestamp(0)[:19] + "Z",
                "InstanceProfileArn": profile.get("Arn", ""),
                "InstanceProfileId": profile.get("Id", ""),
            },
            indent=2,
        )
        leaves[f"iam/security-credentials/{role}"] = json.dumps(
            {
                "Code": "Success",
                "LastUpdated": _timestamp(0)[:19] + "Z",
                "Type": "AWS-HMAC",
                **_FAKE_ROLE_CREDENTIALS,
                "Expiration": _timestamp(6 * 3600)[:19] + "Z",
            },
            indent=2,
        )
    if path == "/latest/user-data":
        text = user_data if user_data is not None else _stored_user_data(ec2_client, instance)
        return _text(text) if text else _text("404 - Not Found\n", 404)
    if path == "/latest/dynamic/instance-identity/document":
        return _text(json.dumps(_identity_document(instance, owner), indent=2))
    prefix = "/latest/meta-data/"
    if path.rstrip("/") + "/" == prefix:
        return _text(_listing(leaves, ""))
    if not path.startswith(prefix):
        return _text("404 - Not Found\n", 404)
    key = path[len(prefix) :]
    if key in leaves:
        return _text(leaves[key])
    listing = _listing(leaves, key.rstrip("/") + "/")
    return _text(listing) if listing else _text("404 - Not Found\n", 404)


def _listing(leaves: Mapping[str, str], folder: str) -> str:
    """IMDS lists a folder one name per line, sub-folders with a trailing slash."""
    names: list[str] = []
    for key in leaves:
        if not key.startswith(folder):
            continue
        rest = key[len(folder) :]
        name = rest.split("/", 1)[0] + ("/" if "/" in rest else "")
        if name not in names:
            names.append(name)
    return "\n".join(sorted(names))


def _instance_role(ec2_client: Any, iam_client: Any, instance: Mapping[str, Any]) -> str | None:
    profile_arn = (instance.get("IamInstanceProfile") or {}).get("Arn")
    if not profile_arn:
        return None
    iam = iam_client or _sibling_client(ec2_client, "iam")
    name = profile_arn.rsplit("/", 1)[-1]
    try:
        roles = iam.get_instance_profile(InstanceProfileName=name)["InstanceProfile"]["Roles"]
    except Exception:  # noqa: BLE001 - a profile without a role serves no credentials
        return None
    return roles[0]["RoleName"] if roles else None


def _stored_user_data(ec2_client: Any, instance: Mapping[str, Any]) -> str:
    attribute = ec2_client.describe_instance_attribute(
        InstanceId=instance["InstanceId"], Attribute="userData"
    )
    value = (attribute.get("UserData") or {}).get("Value") or ""
    try:
        return base64.b64decode(value, validate=True).decode("utf-8", "replace")
    except ValueError:
        return value


# =============================================================================================
# Secrets and environment files: what the agent resolves before a container starts
# =============================================================================================


@dataclass(frozen=True)
class SecretReference:
    """A parsed ``valueFrom``: which service, which id to ask for, and which part of the value.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    """

    service: str  # "ssm" or "secretsmanager"
    secret_id: str  # parameter name or ARN / secret ARN without the trailing fields
    json_key: str | None = None
    version_stage: str | None = None
    version_id: str | None = None


def parse_value_from(value_from: str) -> SecretReference:
    """Split a ``secrets[].valueFrom`` the way ECS reads it.

    * ``arn:aws:ssm:region:account:parameter/name`` or a bare parameter name (same Region);
    * ``arn:aws:secretsmanager:region:account:secret:name-AbCdEf`` optionally followed by
      ``:json-key:version-stage:version-id`` (empty fields allowed, e.g. ``...:password::``).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Secret.html
    """
    text = (value_from or "").strip()
    if not text:
        raise SecretResolutionError(
            "valueFrom is empty: it must name an SSM parameter (its name or ARN) or a Secrets "
            "Manager secret ARN."
        )
    if not text.startswith("arn:"):
        if ":" in text:
            raise SecretResolutionError(
                f"valueFrom {text!r} is neither a parameter name nor an ARN. A JSON key needs the "
                "full Secrets Manager ARN: arn:aws:secretsmanager:<region>:<account>:secret:"
                "<name>-AbCdEf:<json-key>::"
            )
        return SecretReference("ssm", text)
    parts = text.split(":")
    service = parts[2] if len(parts) > 2 else ""
    if service == "ssm" and len(parts) == 6 and parts[5].startswith("parameter/"):
        return SecretReference("ssm", text)
    if service == "secretsmanager" and len(parts) >= 7 and parts[5] == "secret":
        extra = parts[7:]
        if len(extra) > 3:
            raise SecretResolutionError(
                f"valueFrom {text!r} has too many ':' fields; after the secret ARN come at most "
                "json-key:version-stage:version-id."
            )
        extra += [""] * (3 - len(extra))
        return SecretReference(
            "secretsmanager",
            ":".join(parts[:7]),
            json_key=extra[0] or None,
            version_stage=extra[1] or None,
            version_id=extra[2] or None,
        )
    raise SecretResolutionError(
        f"valueFrom {text!r} is not an SSM parameter ARN (arn:aws:ssm:<region>:<account>:"
        "parameter/<name>) or a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:"
        "<account>:secret:<name>)."
    )


def resolve_secrets(
    task_definition: Mapping[str, Any],
    ssm: Any,
    secretsmanager: Any,
    container_name: str | None = None,
) -> dict[str, str]:
    """The environment variables ECS would inject from one container's ``secrets``.

    What the agent does on AWS, with the task execution role, before the container starts: read
    each SSM parameter with decryption, each Secrets Manager secret (one JSON key if named), and
    fail the task if any is missing. moto's ECS never does this, so the kit does it here.
    ``container_name`` defaults to the first container.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
    """
    container = _container(task_definition, container_name)
    secrets = container.get("secrets") or []
    if secrets and not task_definition.get("executionRoleArn"):
        raise SecretResolutionError(
            f"{taskdef.MSG_SECRETS_NEED_EXECUTION_ROLE} ECS rejects this task definition at "
            "RegisterTaskDefinition: the agent fetches secrets with the task execution role. Add "
            "executionRoleArn (a role that ecs-tasks.amazonaws.com can assume)."
        )
    return {
        entry["name"]: _secret_value(entry["name"], entry.get("valueFrom", ""), ssm, secretsmanager)
        for entry in secrets
    }


def _secret_value(name: str, value_from: str, ssm: Any, secretsmanager: Any) -> str:
    from botocore.exceptions import ClientError

    reference = parse_value_from(value_from)
    where = f"secret {name} (valueFrom {value_from!r})"
    stop = "On ECS the task would stop before its containers start, naming this secret."
    if reference.service == "ssm":
        if ssm is None:
            raise SecretResolutionError(f"{where} is an SSM parameter: pass an ssm client.")
        answer = ssm.get_parameters(Names=[reference.secret_id], WithDecryption=True)
        if answer.get("InvalidParameters") or not answer.get("Parameters"):
            raise SecretResolutionError(
                f"{where}: SSM Parameter Store has no parameter {reference.secret_id!r} in "
                f"this account and Region. {stop} Create it with ssm.put_parameter or fix the name."
            )
        return answer["Parameters"][0]["Value"]
    if secretsmanager is None:
        raise SecretResolutionError(f"{where} is a Secrets Manager secret: pass that client.")
    request: dict[str, str] = {"SecretId": reference.secret_id}
    if reference.version_stage:
        request["VersionStage"] = reference.version_stage
    if reference.version_id:
        request["VersionId"] = reference.version_id
    try:
        secret = secretsmanager.get_secret_value(**request)
    except ClientError as error:
        raise SecretResolutionError(
            f"{where}: Secrets Manager answered {error.response['Error']['Code']}: "
            f"{error.response['Error']['Message']} {stop} Check the ARN, including its "
            "six-character suffix, with secretsmanager.describe_secret."
        ) from None
    value = secret.get("SecretString")
    if value is None:
        raise SecretResolutionError(
            f"{where}: the secret holds binary data; ECS injects only SecretString values."
        )
    if reference.json_key is None:
        return value
    try:
        fields = json.loads(value)
    except ValueError:
        fields = None
    if not isinstance(fields, dict) or reference.json_key not in fields:
        keys = ", ".join(sorted(fields)) if isinstance(fields, dict) else "none: it is not JSON"
        raise SecretResolutionError(
            f"{where}: the secret has no JSON key {reference.json_key!r} (its keys: {keys}). {stop}"
        )
    found = fields[reference.json_key]
    return found if isinstance(found, str) else json.dumps(found)


def container_environment(
    task_definition: Mapping[str, Any],
    *,
    container_name: str | None = None,
    s3: Any = None,
    ssm: Any = None,
    secretsmanager: Any = None,
) -> dict[str, str]:
    """Every variable ECS sets from the task definition for one container, in ECS's precedence.

    ``environmentFiles`` first (files in order; the first value of a name wins), then
    ``environment`` (overrides the files), then ``secrets``. Variables the agent adds on its own
    (``ECS_CONTAINER_METADATA_URI_V4``, ``AWS_EXECUTION_ENV``, task-role credentials URI) and the
    image's own ``ENV`` are not included.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
    """
    container = _container(task_definition, container_name)
    environment: dict[str, str] = {}
    for entry in container.get("environmentFiles") or []:
        for name, value in _environment_file(entry, s3).items():
            environment.setdefault(name, value)
    for entry in container.get("environment") or []:
        environment[entry["name"]] = entry.get("value", "")
    if container.get("secrets"):
        environment.update(resolve_secrets(task_definition, ssm, secretsmanager, container_name))
    return environment


def _environment_file(entry: Mapping[str, Any], s3: Any) -> dict[str, str]:
    arn = entry.get("value", "")
    if entry.get("type", "s3") != "s3" or not arn.startswith("arn:aws:s3:::") or "/" not in arn:
        raise SecretResolutionError(
            f"environmentFiles entry {dict(entry)!r}: expected "
            '{"value": "arn:aws:s3:::<bucket>/<key>.env", "type": "s3"}.'
        )
    bucket, key = arn[len("arn:aws:s3:::") :].split("/", 1)
    if not key.endswith(".env"):
        raise SecretResolutionError(
            f"environmentFiles object {key!r} must use the .env file extension."
        )
    if s3 is None:
        raise SecretResolutionError(
            f"environmentFiles names {arn}: pass an s3 client (sb.client('s3')) to read it."
        )
    from botocore.exceptions import ClientError

    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"].read().decode("utf-8")
    except ClientError as error:
        raise SecretResolutionError(
            f"environmentFiles object {arn}: S3 answered {error.response['Error']['Code']}. "
            "On ECS the task would stop before its containers start. Upload the file first."
        ) from None
    return parse_environment_file(body)


def parse_environment_file(text: str) -> dict[str, str]:
    """``VARIABLE=VALUE`` lines; ``#`` lines and blank lines skipped; spaces and quotes kept.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
    """
    variables: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#") or "=" not in line:
            continue
        name, value = line.split("=", 1)
        variables.setdefault(name.strip(), value)
    return variables


def execution_role_policy(
    task_definition: Mapping[str, Any],
    *,
    region: str = "us-east-1",
    account_id: str = "123456789012",
    kms_key_arns: Iterable[str] = (),
) -> dict:
    """The least-privilege inline policy a task execution role needs for this definition.

    ``ssm:GetParameters`` on each parameter, ``secretsmanager:GetSecretValue`` on each secret,
    ``kms:Decrypt`` on customer managed keys (not needed for the AWS managed default key), and
    ``s3:GetObject`` / ``s3:GetBucketLocation`` for ``environmentFiles``. Pulling from ECR and
    writing awslogs come from the managed AmazonECSTaskExecutionRolePolicy.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_execution_IAM_role.html
    """
    parameters: list[str] = []
    secrets: list[str] = []
    objects: list[str] = []
    buckets: list[str] = []
    for container in task_definition.get("containerDefinitions") or []:
        entries = list(container.get("secrets") or [])
        entries += list((container.get("logConfiguration") or {}).get("secretOptions") or [])
        for entry in entries:
            reference = parse_value_from(entry.get("valueFrom", ""))
            if reference.service == "ssm":
                arn = reference.secret_id
                if not arn.startswith("arn:"):
                    arn = f"arn:aws:ssm:{region}:{account_id}:parameter/{arn.lstrip('/')}"
                _append_new(parameters, arn)
            else:
                _append_new(secrets, reference.secret_id)
        for entry in container.get("environmentFiles") or []:
            arn = entry.get("value", "")
            _append_new(objects, arn)
            _append_new(buckets, arn.split("/", 1)[0])
    statements = []
    for actions, resources in (
        (["ssm:GetParameters"], parameters),
        (["secretsmanager:GetSecretValue"], secrets),
        (["kms:Decrypt"], list(kms_key_arns)),
        (["s3:GetObject"], objects),
        (["s3:GetBucketLocation"], buckets),
    ):
        if resources:
            statements.append({"Effect": "Allow", "Action": actions, "Resource": resources})
    return {"Version": "2012-10-17", "Statement": statements}


def _append_new(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def _container(task_definition: Mapping[str, Any], name: str | None) -> Mapping[str, Any]:
    containers = list(task_definition.get("containerDefinitions") or [])
    if not containers:
        raise SecretResolutionError("The task definition has no containerDefinitions.")
    if name is None:
        return containers[0]
    for container in containers:
        if container.get("name") == name:
            return container
    names = ", ".join(repr(c.get("name")) for c in containers)
    raise SecretResolutionError(f"No container named {name!r}; the containers are {names}.")
