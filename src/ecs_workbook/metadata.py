"""What a container can learn about its task: the task metadata endpoint v4, served locally.

On AWS the ECS agent serves the **task metadata endpoint v4** at ``http://169.254.170.2/v4/<id>``
and announces it in the ``ECS_CONTAINER_METADATA_URI_V4`` environment variable: this container, its
task (``/task``) and Docker stats (``/stats``, ``/task/stats``). moto has no agent:
:func:`serve_task_metadata` starts a small local server on 127.0.0.1 that answers with the
documented JSON shapes, built from the sandbox's real task, task-definition, container-instance and
EC2 state, so code written for the endpoint can be tried here. Ids the agent or Docker would invent
(Docker ids, image digests) are derived from the ARNs, and timestamps are pinned to
:data:`REFERENCE_TIME`, so every run prints the same.

This module is also the one place a notebook imports for everything a container learns or is given
at start-up: it re-exports the EC2 instance metadata service (:mod:`ecs_workbook.instance_metadata`,
:func:`serve_instance_metadata`) and the agent's ``secrets``/``environmentFiles`` resolution
(:mod:`ecs_workbook.secrets`, :func:`resolve_secrets`, :func:`container_environment`,
:func:`execution_role_policy`).

- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html
- https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/taskdef-envfiles.html
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from ecs_workbook import taskdef
from ecs_workbook.instance_metadata import (
    IMDS_MAX_TOKEN_TTL_SECONDS,
    IMDS_TOKEN_HEADER,
    IMDS_TOKEN_TTL_HEADER,
    INSTANCE_METADATA_ADDRESS,
    serve_instance_metadata,
)
from ecs_workbook.instances import sibling_client
from ecs_workbook.metadata_server import (
    REFERENCE_TIME,
    MetadataEndpoint,
    MetadataError,
    Reply,
    base_url,
    json_reply,
    start_server,
    text_reply,
    timestamp,
)
from ecs_workbook.secrets import (
    TASK_EXECUTION_TRUST_POLICY,
    SecretReference,
    SecretResolutionError,
    container_environment,
    execution_role_policy,
    parse_environment_file,
    parse_value_from,
    resolve_secrets,
)

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
#: The variables the agent (>= 1.39.0 for v4) injects into every container.
METADATA_URI_V4_ENV = "ECS_CONTAINER_METADATA_URI_V4"
METADATA_URI_V3_ENV = "ECS_CONTAINER_METADATA_URI"

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

    def route(method: str, path: str, headers: Mapping[str, str]) -> Reply:
        match = re.fullmatch(r"/(v3|v4)/([0-9a-f-]+)(/[A-Za-z/]*)?", path.split("?")[0])
        if method != "GET" or not match or match.group(2) not in by_id:
            return text_reply("404 page not found\n", 404)
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
            return text_reply("404 page not found\n", 404)
        document = builder()
        return json_reply(_as_v3(document, rest) if version == "v3" else document)

    server = start_server(route)
    base = base_url(server)
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
        doc["CreatedAt"] = timestamp(4 + index * 0.25)
        doc["StartedAt"] = timestamp(5 + index * 0.25)
        if stopped:
            doc["FinishedAt"] = timestamp(3600)
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
            "CreatedAt": timestamp(3.5),
            "StartedAt": timestamp(3.75),
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
        doc["PullStartedAt"] = timestamp(1)
        doc["PullStoppedAt"] = timestamp(3)
        zone = self.task.get("availabilityZone") or self._attribute("ecs.availability-zone")
        if zone:
            doc["AvailabilityZone"] = zone
        vpc = self._attribute("ecs.vpc-id")
        if vpc and not self.fargate:
            doc["VPCID"] = vpc
        doc["LaunchType"] = self.task.get("launchType") or "EC2"
        doc["Containers"] = self._containers()
        if doc["KnownStatus"] == "STOPPED":
            doc["ExecutionStoppedAt"] = timestamp(3600)
        if self.fargate:
            doc["ClockDrift"] = {
                "ClockErrorBound": 0.5,
                "ReferenceTimestamp": timestamp(0),
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
                ec2 = sibling_client(ecs_client, "ec2")
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
        "read": timestamp(3600),
        "preread": timestamp(3599),
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
