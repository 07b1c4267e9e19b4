"""Task definitions as ECS judges them: validation, registration, sizes and placement needs.

moto registers almost any task definition (it checks a name, an image and a memory value, and
wrongly rejects an EC2 container that sets only ``memoryReservation``). Real ECS rejects many more
at ``RegisterTaskDefinition`` with a ``ClientException``. :func:`validate` lists every problem
ECS would reject, in ECS's own words where they are known; :func:`register` raises the
``ClientException`` before calling moto.

Input everywhere is the ``register_task_definition`` keyword arguments (camelCase, as boto3), or
equally the ``taskDefinition`` of a ``describe_task_definition`` response.

Messages marked *verbatim* below are ECS's text as seen in the docs or quoted in public bug
reports; the others are the kit's wording in ECS's style, because ECS's exact text is not
published (ecs-facts.md marks these UNCONFIRMED).

- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
- https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
- https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ecs_workbook import cql

__all__ = [
    "CPU_UNITS_PER_VCPU",
    "EC2_TASK_CPU_UNITS_RANGE",
    "FARGATE_TASK_SIZES",
    "MAX_CONTAINERS",
    "MAX_PLACEMENT_CONSTRAINTS",
    "TaskDefinitionError",
    "as_registered",
    "cpu_units_to_vcpu",
    "fargate_sizes",
    "is_fargate",
    "parse_cpu",
    "parse_memory_mib",
    "register",
    "rejection_message",
    "reserved_resources",
    "smallest_fargate_size",
    "tasks_that_fit",
    "validate",
    "vcpu_to_cpu_units",
]

#: 1 vCPU is 1024 CPU units (the agent registers ``vCPUs x 1024``). API_ContainerDefinition.html
CPU_UNITS_PER_VCPU = 1024

#: Task-level ``cpu`` allowed for EC2/EXTERNAL task definitions (0.125 to 192 vCPU, current API
#: text). The 2023 Developer Guide still said 128-10240; ecs-facts.md section 11 item 3.
EC2_TASK_CPU_UNITS_RANGE = (128, 196_608)

#: At most 10 container definitions per task definition. service-quotas.html
MAX_CONTAINERS = 10

#: At most 10 placement constraints per task (task definition + RunTask). API_RunTask.html
MAX_PLACEMENT_CONSTRAINTS = 10

_FARGATE_MEMORY_BY_CPU: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: (1024, 2048, 3072, 4096),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

#: Every valid Fargate (cpu units, memory MiB) pair, smallest first: 74 pairs.
#: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
FARGATE_TASK_SIZES: tuple[tuple[int, int], ...] = tuple(
    (cpu, memory) for cpu, memories in _FARGATE_MEMORY_BY_CPU.items() for memory in memories
)

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_MAX_NAME_LENGTH = 255
_NETWORK_MODES = ("bridge", "host", "awsvpc", "none")
_PROTOCOLS = ("tcp", "udp")
_PID_MODES = ("host", "task")
_IPC_MODES = ("host", "task", "none")
_COMPATIBILITIES = ("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")
_MAX_PORT = 65535
_FARGATE_MAX_STOP_TIMEOUT_SECONDS = 120
_EPHEMERAL_STORAGE_GIB_RANGE = (21, 200)
# (field, lowest, highest) for container health checks. API_HealthCheck.html
_HEALTH_CHECK_RANGES = (
    ("interval", 5, 300),
    ("timeout", 2, 60),
    ("retries", 1, 10),
    ("startPeriod", 0, 300),
)
# Container parameters Fargate does not support. AWS_Fargate.html ("Task definitions")
_FARGATE_UNSUPPORTED_CONTAINER_FIELDS = (
    "disableNetworking",
    "dnsSearchDomains",
    "dnsServers",
    "dockerSecurityOptions",
    "extraHosts",
    "privileged",
)
_FARGATE_UNSUPPORTED_LINUX_FIELDS = ("maxSwap", "swappiness", "devices")

# ECS's own messages (verbatim, see the module docstring for sources).
MSG_INVALID_TASK_CPU = (
    "Invalid 'cpu' setting for task. For more information, see the Troubleshooting section of "
    "the Amazon ECS Developer Guide."
)
MSG_FARGATE_CPU_REQUIRED = "Fargate requires that 'cpu' be defined at the task level."
MSG_FARGATE_MEMORY_REQUIRED = "Fargate requires that 'memory' be defined at the task level."
MSG_FARGATE_AWSVPC = "Fargate only supports network mode 'awsvpc'."
MSG_AWSVPC_PORTS = (
    "When networkMode=awsvpc, the host ports and container ports in port mappings must match."
)
MSG_SECRETS_NEED_EXECUTION_ROLE = (
    "When you are specifying container secrets, you must also specify a value for "
    "'executionRoleArn'."
)
MSG_FARGATE_AWSLOGS_NEEDS_EXECUTION_ROLE = (
    "Fargate requires task definition to have execution role ARN to support log driver awslogs."
)
MSG_NO_CONTAINERS = "Container list cannot be empty."
MSG_TOO_MANY_CONTAINERS = "Too many containers."
MSG_NO_ESSENTIAL = "Task definition doesn't have any essential container."
MSG_DUPLICATE_NAMES = "Container names must be unique within a Task Definition."
MSG_FAMILY_BLANK = "Family can not be blank."
MSG_FAMILY_INVALID = "Family contains invalid characters."
MSG_CONTAINER_NAME_MISSING = "Container.name should not be null or empty."
MSG_CONTAINER_NAME_INVALID = "Container.name contains invalid characters."
MSG_IMAGE_MISSING = "Container.image should not be null or empty."
MSG_CPU_SUM = (
    "The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'."
)
MSG_MEMORY_RESERVATION_SUM = (
    "The sum of all container 'memoryReservation' values cannot be greater than the value of the "
    "task 'memory'."
)


class TaskDefinitionError(ValueError):
    """A task-definition value the kit cannot interpret (for example ``cpu="fast"``).

    Raised by the helpers (parsing, sizing); :func:`validate` never raises, it lists problems.
    """


# --------------------------------------------------------------------------------------------
# Units
# --------------------------------------------------------------------------------------------


def cpu_units_to_vcpu(units: int | float) -> float:
    """CPU units to vCPUs (1024 units = 1 vCPU).

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html
    """
    return units / CPU_UNITS_PER_VCPU


def vcpu_to_cpu_units(vcpu: int | float) -> int:
    """vCPUs to CPU units, as ECS converts ``"0.5 vCPU"`` at registration (to 512)."""
    return int(round(vcpu * CPU_UNITS_PER_VCPU))


_CPU_VCPU_TEXT = re.compile(r"^(\d*\.?\d+)\s*vcpus?$", re.IGNORECASE)
_MEMORY_GB_TEXT = re.compile(r"^(\d*\.?\d+)\s*gb$", re.IGNORECASE)


def parse_cpu(value: int | float | str) -> int:
    """CPU units from a task-level ``cpu``: ``1024``, ``"1024"``, ``"1 vCPU"``, ``".25 vcpu"``.

    ECS accepts units or a vCPU string and stores units.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
    """
    if isinstance(value, bool) or value is None:
        raise TaskDefinitionError(
            f"cpu {value!r} is not a CPU value; expected e.g. 1024 or '1 vCPU'."
        )
    if isinstance(value, (int, float)):
        if value < 0 or value != int(value):
            raise TaskDefinitionError(
                f"cpu {value!r} is not a whole, non-negative number of CPU units "
                f"(1 vCPU = {CPU_UNITS_PER_VCPU} units). Try {vcpu_to_cpu_units(max(value, 0))}."
            )
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    match = _CPU_VCPU_TEXT.match(text)
    if match:
        return vcpu_to_cpu_units(float(match.group(1)))
    raise TaskDefinitionError(
        f"cpu {value!r} is not a CPU value ECS understands. Write CPU units ('1024') or vCPUs "
        "('1 vCPU', '0.25 vCPU')."
    )


def parse_memory_mib(value: int | float | str) -> int:
    """MiB from a task-level ``memory``: ``2048``, ``"2048"``, ``"2GB"``, ``"0.5 GB"``.

    ECS accepts MiB or a GB string (1 GB = 1024 MiB) and stores MiB.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html
    """
    if isinstance(value, bool) or value is None:
        raise TaskDefinitionError(
            f"memory {value!r} is not a memory value; expected e.g. 2048 or '2GB'."
        )
    if isinstance(value, (int, float)):
        if value < 0 or value != int(value):
            raise TaskDefinitionError(
                f"memory {value!r} is not a whole, non-negative number of MiB."
            )
        return int(value)
    text = str(value).strip()
    if text.isdigit():
        return int(text)
    match = _MEMORY_GB_TEXT.match(text)
    if match:
        return int(round(float(match.group(1)) * 1024))
    raise TaskDefinitionError(
        f"memory {value!r} is not a memory value ECS understands. Write MiB ('2048') or GB "
        "('2GB', '2 GB'); other units (MB, MiB, g) are not accepted at the task level."
    )


# --------------------------------------------------------------------------------------------
# Fargate sizes
# --------------------------------------------------------------------------------------------


def fargate_sizes(
    cpu_units: int | str | None = None, memory_mib: int | str | None = None
) -> list[tuple[int, int]]:
    """Valid Fargate ``(cpu units, memory MiB)`` pairs, optionally only those with this cpu/memory.

    ``fargate_sizes(cpu_units=256)`` -> ``[(256, 512), (256, 1024), (256, 2048)]``.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
    """
    cpu = None if cpu_units is None else parse_cpu(cpu_units)
    memory = None if memory_mib is None else parse_memory_mib(memory_mib)
    return [
        (c, m)
        for c, m in FARGATE_TASK_SIZES
        if (cpu is None or c == cpu) and (memory is None or m == memory)
    ]


def smallest_fargate_size(cpu_units_needed: int, memory_mib_needed: int) -> tuple[int, int]:
    """The smallest Fargate size with at least this CPU and memory (fewest vCPUs, then least MiB).

    Fargate bills per vCPU and per GB for the whole task size, so this is also the cheapest fit.
    ``smallest_fargate_size(256, 4096)`` -> ``(512, 4096)``. AWS_Fargate.html
    """
    for cpu, memory in FARGATE_TASK_SIZES:
        if cpu >= cpu_units_needed and memory >= memory_mib_needed:
            return cpu, memory
    largest_cpu, largest_memory = max(FARGATE_TASK_SIZES)
    raise TaskDefinitionError(
        f"No Fargate size has {cpu_units_needed} CPU units and {memory_mib_needed} MiB; the "
        f"largest is {largest_cpu} units ({cpu_units_to_vcpu(largest_cpu):g} vCPU) with "
        f"{largest_memory} MiB. Split the task or use the EC2 launch type."
    )


# --------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------


def is_fargate(task_definition: Mapping[str, Any]) -> bool:
    """True if ``requiresCompatibilities`` names FARGATE: the Fargate rules apply, even with EC2."""
    return "FARGATE" in (task_definition.get("requiresCompatibilities") or ())


def validate(task_definition: Mapping[str, Any]) -> list[str]:
    """Every reason ECS would reject this task definition at RegisterTaskDefinition ([] if none).

    Pure and fast: no AWS calls. Each message is ECS's ``ClientException`` text where known.
    ECS itself stops at the first problem; this lists them all, in a stable order.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
    """
    problems: list[str] = []
    for check in _CHECKS:
        for problem in check(task_definition):
            if problem not in problems:
                problems.append(problem)
    return problems


def rejection_message(problems: list[str]) -> str:
    """The ``ClientException`` message for these problems: ECS's text of the first one.

    ECS reports one problem per call; when there are more, they are appended so a learner can
    fix them all at once (the first sentence stays exactly ECS's).
    """
    if not problems:
        raise ValueError("rejection_message() needs at least one problem; validate() found none.")
    if len(problems) == 1:
        return problems[0]
    others = " ".join(f"({n}) {p}" for n, p in enumerate(problems[1:], start=2))
    return f"{problems[0]} The kit also found: {others}"


def register(ecs_client: Any, task_definition: Mapping[str, Any]) -> dict:
    """Register like ECS: raise ``ClientException`` if ECS would reject, else return the result.

    The exception is ``ecs_client.exceptions.ClientException`` (a botocore ``ClientError`` with
    code ``ClientException``, operation ``RegisterTaskDefinition``), as real ECS raises it.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html
    """
    problems = validate(task_definition)
    if problems:
        raise _client_exception(ecs_client, rejection_message(problems))
    return ecs_client.register_task_definition(**as_registered(task_definition))["taskDefinition"]


_OPTIONAL_TASK_STRINGS = (
    "cpu", "memory", "networkMode", "taskRoleArn", "executionRoleArn", "pidMode", "ipcMode",
)  # fmt: skip


def as_registered(task_definition: Mapping[str, Any]) -> dict:
    """The task definition as ECS stores it: task ``cpu``/``memory`` in units and MiB.

    ECS converts ``"1 vCPU"`` to ``"1024"`` and ``"2GB"`` to ``"2048"`` at registration (moto
    stores the text as given), and treats ``""`` as unset. Call after :func:`validate`.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-cpu-memory-error.html
    """
    registered = dict(task_definition)
    for key in _OPTIONAL_TASK_STRINGS:
        if key in registered and not _given(registered[key]):
            del registered[key]
    if "cpu" in registered:
        registered["cpu"] = str(parse_cpu(registered["cpu"]))
    if "memory" in registered:
        registered["memory"] = str(parse_memory_mib(registered["memory"]))
    return registered


def _client_exception(ecs_client: Any, message: str) -> Exception:
    from botocore.exceptions import ClientError

    error_response = {
        "Error": {"Code": "ClientException", "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": 400},
    }
    exception_class = getattr(
        getattr(ecs_client, "exceptions", None), "ClientException", ClientError
    )
    return exception_class(error_response, "RegisterTaskDefinition")


def _containers(task_definition: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [c for c in task_definition.get("containerDefinitions") or () if isinstance(c, Mapping)]


def _given(value: Any) -> bool:
    """A field counts as set unless missing, None or "" (ecs-cli sends "" for unset strings)."""
    return value is not None and value != ""


def _int_or_none(value: Any) -> int | None:
    if not _given(value) or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _network_mode(task_definition: Mapping[str, Any]) -> str:
    mode = task_definition.get("networkMode")
    return mode if _given(mode) else "bridge"


def _task_cpu_units(task_definition: Mapping[str, Any]) -> int | None:
    try:
        return parse_cpu(task_definition["cpu"]) if _given(task_definition.get("cpu")) else None
    except TaskDefinitionError:
        return None


def _task_memory_mib(task_definition: Mapping[str, Any]) -> int | None:
    try:
        value = task_definition.get("memory")
        return parse_memory_mib(value) if _given(value) else None
    except TaskDefinitionError:
        return None


def _container_label(container: Mapping[str, Any]) -> str:
    return str(container.get("name") or "?")


def _check_family(td: Mapping[str, Any]) -> Iterator[str]:
    """Family: 1-255 letters, digits, hyphens, underscores. task_definition_parameters.html"""
    family = td.get("family")
    if not _given(family):
        yield MSG_FAMILY_BLANK
    elif not isinstance(family, str) or not _NAME.match(family):
        yield MSG_FAMILY_INVALID
    elif len(family) > _MAX_NAME_LENGTH:
        yield f"Family must be at most {_MAX_NAME_LENGTH} characters (it has {len(family)})."


def _check_container_list(td: Mapping[str, Any]) -> Iterator[str]:
    """1-10 containers with unique, valid names and an image. task_definition_parameters.html"""
    containers = _containers(td)
    if not containers:
        yield MSG_NO_CONTAINERS
        return
    if len(containers) > MAX_CONTAINERS:
        yield MSG_TOO_MANY_CONTAINERS
    names: list[str] = []
    for container in containers:
        name = container.get("name")
        if not _given(name):
            yield MSG_CONTAINER_NAME_MISSING
            continue
        if not isinstance(name, str) or not _NAME.match(name) or len(name) > _MAX_NAME_LENGTH:
            yield MSG_CONTAINER_NAME_INVALID
        names.append(name)
        if not _given(container.get("image")):
            yield MSG_IMAGE_MISSING
    if len(names) != len(set(names)):
        yield MSG_DUPLICATE_NAMES
    if all(container.get("essential", True) is False for container in containers):
        yield MSG_NO_ESSENTIAL


def _check_task_size(td: Mapping[str, Any]) -> Iterator[str]:
    """Task cpu/memory must parse; EC2 cpu 128-196608 units; Fargate: required and a table pair.

    task-cpu-memory-error.html; AWS_Fargate.html
    """
    cpu_given, memory_given = _given(td.get("cpu")), _given(td.get("memory"))
    cpu, memory = _task_cpu_units(td), _task_memory_mib(td)
    if (cpu_given and cpu is None) or (memory_given and (memory is None or memory == 0)):
        yield MSG_INVALID_TASK_CPU
        return
    if is_fargate(td):
        if not cpu_given:
            yield MSG_FARGATE_CPU_REQUIRED
        if not memory_given:
            yield MSG_FARGATE_MEMORY_REQUIRED
        if cpu_given and memory_given and (cpu, memory) not in FARGATE_TASK_SIZES:
            yield MSG_INVALID_TASK_CPU
    elif cpu is not None:
        lowest, highest = EC2_TASK_CPU_UNITS_RANGE
        if not lowest <= cpu <= highest:
            yield MSG_INVALID_TASK_CPU


def _check_container_memory(td: Mapping[str, Any]) -> Iterator[str]:
    """Memory per container and against the task. APIReference/API_ContainerDefinition.html

    Without task-level memory each container needs ``memory`` or ``memoryReservation`` (either
    alone is fine on EC2; moto wrongly rejects reservation-only). ``memoryReservation`` may not
    exceed ``memory`` (equal passes: ecs-facts.md section 11 item 2). With task memory, no
    container's ``memory`` may exceed it, nor may the sum of what containers reserve.
    """
    task_memory = _task_memory_mib(td)
    reserved_total, all_by_reservation = 0, True
    for container in _containers(td):
        name = _container_label(container)
        memory = _int_or_none(container.get("memory"))
        reservation = _int_or_none(container.get("memoryReservation"))
        for field, value in (("memory", memory), ("memoryReservation", reservation)):
            if _given(container.get(field)) and (value is None or value <= 0):
                yield (
                    f"Invalid '{field}' setting for container '{name}'. "
                    "It must be a positive number of MiB."
                )
        if not memory and not reservation and not _given(td.get("memory")):
            yield (
                f"Invalid setting for container '{name}'. At least one of 'memory' or "
                "'memoryReservation' must be specified."
            )
        if memory and reservation and reservation > memory:
            yield (
                f"Invalid setting for container '{name}'. 'memoryReservation' ({reservation} MiB) "
                f"must not be greater than 'memory' ({memory} MiB)."
            )
        if task_memory and memory and memory > task_memory:
            yield f"The 'memory' setting for container '{name}' is greater than for the task."
        if reservation:
            reserved_total += reservation
        elif memory:
            reserved_total += memory
            all_by_reservation = False
    if task_memory and reserved_total > task_memory:
        yield (
            MSG_MEMORY_RESERVATION_SUM
            if all_by_reservation
            else "The sum of the memory reserved by all containers ('memoryReservation', else "
            "'memory') cannot be greater than the value of the task 'memory'."
        )


def _check_container_cpu(td: Mapping[str, Any]) -> Iterator[str]:
    """The sum of container ``cpu`` may not exceed the task ``cpu``. API_ContainerDefinition.html"""
    total = 0
    for container in _containers(td):
        cpu = container.get("cpu")
        if _given(cpu):
            units = _int_or_none(cpu)
            if units is None or units < 0:
                yield (
                    f"Invalid 'cpu' setting for container '{_container_label(container)}'. "
                    "It must be a whole, non-negative number of CPU units."
                )
                continue
            total += units
    task_cpu = _task_cpu_units(td)
    if task_cpu is not None and total > task_cpu:
        yield MSG_CPU_SUM


def _check_network_mode(td: Mapping[str, Any]) -> Iterator[str]:
    """networkMode is bridge|host|awsvpc|none; Fargate needs awsvpc. task_definition_parameters.html

    moto silently rewrites FARGATE + bridge to awsvpc; ECS rejects it.
    """
    mode = td.get("networkMode")
    if _given(mode) and mode not in _NETWORK_MODES:
        yield f"Invalid networkMode '{mode}'. Valid values: {', '.join(_NETWORK_MODES)}."
    elif is_fargate(td) and _network_mode(td) != "awsvpc":
        yield MSG_FARGATE_AWSVPC


def _check_port_mappings(td: Mapping[str, Any]) -> Iterator[str]:
    """Ports 0-65535, tcp/udp, and the rules of each network mode. API_PortMapping.html

    awsvpc and host: ``hostPort`` omitted or equal to ``containerPort`` (``0`` is rejected too);
    none: no port mappings at all; bridge: ``hostPort`` 0 or omitted means a dynamic port.
    """
    mode = _network_mode(td)
    for container in _containers(td):
        name = _container_label(container)
        mappings = container.get("portMappings") or ()
        if mappings and mode == "none":
            yield f"Port mappings are not supported when networkMode=none (container '{name}')."
            continue
        for mapping in mappings:
            container_port = _int_or_none(mapping.get("containerPort"))
            host_port = _int_or_none(mapping.get("hostPort"))
            has_range = _given(mapping.get("containerPortRange"))
            if not has_range and (container_port is None or not 1 <= container_port <= _MAX_PORT):
                yield f"Invalid 'containerPort' setting for container '{name}'."
            if _given(mapping.get("hostPort")) and (
                host_port is None or not 0 <= host_port <= _MAX_PORT
            ):
                yield f"Invalid 'hostPort' setting for container '{name}'."
            protocol = mapping.get("protocol")
            if _given(protocol) and protocol not in _PROTOCOLS:
                yield (
                    f"Invalid 'protocol' setting for container '{name}': '{protocol}'. "
                    "Valid values: tcp, udp."
                )
            if (
                mode in ("awsvpc", "host")
                and _given(mapping.get("hostPort"))
                and host_port != container_port
            ):
                yield (
                    MSG_AWSVPC_PORTS
                    if mode == "awsvpc"
                    else "When networkMode=host, the host ports and container ports in port "
                    "mappings must match."
                )


def _check_links(td: Mapping[str, Any]) -> Iterator[str]:
    """``links`` only work in bridge mode. APIReference/API_ContainerDefinition.html"""
    mode = _network_mode(td)
    if mode != "bridge" and any(c.get("links") for c in _containers(td)):
        yield f"Links are not supported when networkMode={mode}."


def _check_secrets(td: Mapping[str, Any]) -> Iterator[str]:
    """Secrets (and log secretOptions) need ``executionRoleArn``; so does awslogs on Fargate.

    specifying-sensitive-data-secrets.html; using_awslogs.html
    """
    has_role = _given(td.get("executionRoleArn"))
    containers = _containers(td)
    uses_secrets = any(
        c.get("secrets") or (c.get("logConfiguration") or {}).get("secretOptions")
        for c in containers
    )
    if uses_secrets and not has_role:
        yield MSG_SECRETS_NEED_EXECUTION_ROLE
    uses_awslogs = any(
        (c.get("logConfiguration") or {}).get("logDriver") == "awslogs" for c in containers
    )
    if is_fargate(td) and uses_awslogs and not has_role:
        yield MSG_FARGATE_AWSLOGS_NEEDS_EXECUTION_ROLE


def _check_placement_constraints(td: Mapping[str, Any]) -> Iterator[str]:
    """A task definition allows only ``memberOf`` (valid CQL), at most 10.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html
    """
    constraints = td.get("placementConstraints") or ()
    if len(constraints) > MAX_PLACEMENT_CONSTRAINTS:
        yield (
            f"Too many placement constraints ({len(constraints)}); a task can have at most "
            f"{MAX_PLACEMENT_CONSTRAINTS}, counting the task definition's and RunTask's."
        )
    for constraint in constraints:
        kind = constraint.get("type")
        if kind == "distinctInstance":
            yield (
                "The 'distinctInstance' placement constraint is not supported in a task "
                "definition; use it in RunTask, CreateService or UpdateService."
            )
        elif kind != "memberOf":
            yield f"Invalid placement constraint type '{kind}'. A task definition allows: memberOf."
        elif not _given(constraint.get("expression")):
            yield "A 'memberOf' placement constraint needs an expression."
        else:
            try:
                cql.parse(constraint["expression"])
            except cql.CQLError as error:
                yield f"Invalid placement constraint expression: {error}"


def _check_task_modes(td: Mapping[str, Any]) -> Iterator[str]:
    """pidMode/ipcMode/requiresCompatibilities values; Fargate forbids pidMode host and ipcMode.

    task_definition_parameters.html#other_task_definition_params
    """
    for field, allowed in (("pidMode", _PID_MODES), ("ipcMode", _IPC_MODES)):
        value = td.get(field)
        if _given(value) and value not in allowed:
            yield f"Invalid {field} '{value}'. Valid values: {', '.join(allowed)}."
    for compatibility in td.get("requiresCompatibilities") or ():
        if compatibility not in _COMPATIBILITIES:
            yield (
                f"Invalid requiresCompatibilities value '{compatibility}'. "
                f"Valid values: {', '.join(_COMPATIBILITIES)}."
            )
    if not is_fargate(td):
        return
    pid_mode = td.get("pidMode")
    if _given(pid_mode) and pid_mode != "task":
        yield (
            f"Tasks using the Fargate launch type do not support pidMode '{pid_mode}'. "
            "The supported value for pidMode is 'task'."
        )
    if _given(td.get("ipcMode")):
        yield f"Tasks using the Fargate launch type do not support ipcMode '{td['ipcMode']}'."
    if td.get("placementConstraints"):
        yield "Tasks using the Fargate launch type do not support placement constraints."
    for volume in td.get("volumes") or ():
        if (volume.get("host") or {}).get("sourcePath"):
            yield (
                "Tasks using the Fargate launch type do not support host volumes with a "
                f"sourcePath (volume '{volume.get('name')}'); omit sourcePath for a bind mount."
            )
        if volume.get("dockerVolumeConfiguration"):
            yield (
                "Tasks using the Fargate launch type do not support dockerVolumeConfiguration "
                f"(volume '{volume.get('name')}'); use an EFS volume or a bind mount."
            )
    ephemeral = (td.get("ephemeralStorage") or {}).get("sizeInGiB")
    low, high = _EPHEMERAL_STORAGE_GIB_RANGE
    if _given(ephemeral) and not low <= (_int_or_none(ephemeral) or 0) <= high:
        yield f"Invalid 'ephemeralStorage' setting: sizeInGiB must be between {low} and {high}."


def _check_fargate_containers(td: Mapping[str, Any]) -> Iterator[str]:
    """Container parameters Fargate does not support; stopTimeout at most 120 s. AWS_Fargate.html"""
    if not is_fargate(td):
        return
    for container in _containers(td):
        name = _container_label(container)
        for field in _FARGATE_UNSUPPORTED_CONTAINER_FIELDS:
            if container.get(field) not in (None, False, [], "", {}):
                yield (
                    f"Tasks using the Fargate launch type do not support '{field}' "
                    f"(container '{name}')."
                )
        linux = container.get("linuxParameters") or {}
        for field in _FARGATE_UNSUPPORTED_LINUX_FIELDS:
            if linux.get(field) not in (None, [], ""):
                yield (
                    f"Tasks using the Fargate launch type do not support "
                    f"'linuxParameters.{field}' (container '{name}')."
                )
        if any(r.get("type") == "GPU" for r in container.get("resourceRequirements") or ()):
            yield f"Tasks using the Fargate launch type do not support GPUs (container '{name}')."
        stop_timeout = _int_or_none(container.get("stopTimeout"))
        if stop_timeout is not None and stop_timeout > _FARGATE_MAX_STOP_TIMEOUT_SECONDS:
            yield (
                f"Invalid 'stopTimeout' setting for container '{name}'. On Fargate the maximum "
                f"is {_FARGATE_MAX_STOP_TIMEOUT_SECONDS} seconds."
            )


def _check_references(td: Mapping[str, Any]) -> Iterator[str]:
    """mountPoints name a declared volume; dependsOn/volumesFrom name a container in the task.

    task_definition_parameters.html#volumes; API_ContainerDependency.html
    """
    volume_names = {v.get("name") for v in td.get("volumes") or () if isinstance(v, Mapping)}
    container_names = {c.get("name") for c in _containers(td)}
    for container in _containers(td):
        name = _container_label(container)
        for mount in container.get("mountPoints") or ():
            source = mount.get("sourceVolume")
            if source not in volume_names:
                yield (
                    f"Invalid 'mountPoints' setting for container '{name}': sourceVolume "
                    f"'{source}' is not one of the task definition's volumes."
                )
        for dependency in container.get("dependsOn") or ():
            if dependency.get("containerName") not in container_names:
                yield (
                    f"Invalid 'dependsOn' setting for container '{name}': container "
                    f"'{dependency.get('containerName')}' is not in the task definition."
                )


def _check_health_checks(td: Mapping[str, Any]) -> Iterator[str]:
    """A health check needs a command; interval 5-300 s, timeout 2-60 s, retries 1-10, start 0-300.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_HealthCheck.html
    """
    for container in _containers(td):
        health = container.get("healthCheck")
        if not health:
            continue
        name = _container_label(container)
        if not health.get("command"):
            yield f"Invalid 'healthCheck' setting for container '{name}': a command is required."
        for field, low, high in _HEALTH_CHECK_RANGES:
            value = health.get(field)
            number = _int_or_none(value)
            if _given(value) and (number is None or not low <= number <= high):
                yield (
                    f"Invalid 'healthCheck.{field}' setting for container '{name}': "
                    f"{value} is outside {low}-{high}."
                )


_CHECKS = (
    _check_family,
    _check_container_list,
    _check_task_size,
    _check_container_memory,
    _check_container_cpu,
    _check_network_mode,
    _check_port_mappings,
    _check_links,
    _check_secrets,
    _check_placement_constraints,
    _check_task_modes,
    _check_fargate_containers,
    _check_references,
    _check_health_checks,
)


# --------------------------------------------------------------------------------------------
# What placement reserves on an EC2 container instance
# --------------------------------------------------------------------------------------------


def reserved_resources(
    task_definition: Mapping[str, Any], overrides: Mapping[str, Any] | None = None
) -> dict:
    """What one task reserves on a container instance, in ECS's resource names.

    ``{"CPU": units, "MEMORY": MiB, "PORTS": [tcp host ports], "PORTS_UDP": [udp host ports]}``.
    Task-level ``cpu``/``memory`` win where given; otherwise CPU is the sum of container ``cpu``
    and MEMORY the sum of each container's ``memoryReservation`` if set, else ``memory``.
    Static host ports only: ``hostPort`` > 0 in bridge mode, ``hostPort`` or ``containerPort`` in
    host mode; awsvpc tasks use their own ENI and reserve no instance ports. ``overrides`` is
    RunTask's ``overrides`` (task-level ``cpu``/``memory`` and ``containerOverrides``); moto ignores
    overrides when it sizes a task, ECS does not.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/memory-management.html
    """
    overrides = overrides or {}
    by_name = {o.get("name"): o for o in overrides.get("containerOverrides") or ()}
    containers = []
    for container in _containers(task_definition):
        merged = dict(container)
        for field in ("cpu", "memory", "memoryReservation"):
            value = by_name.get(container.get("name"), {}).get(field)
            if _given(value):
                merged[field] = value
        containers.append(merged)

    task_cpu = overrides.get("cpu") if _given(overrides.get("cpu")) else task_definition.get("cpu")
    task_memory = (
        overrides.get("memory")
        if _given(overrides.get("memory"))
        else task_definition.get("memory")
    )
    if _given(task_cpu):
        cpu_units = parse_cpu(task_cpu)
    else:
        cpu_units = sum(_int_or_none(c.get("cpu")) or 0 for c in containers)
    if _given(task_memory):
        memory_mib = parse_memory_mib(task_memory)
    else:
        memory_mib = sum(
            _int_or_none(c.get("memoryReservation")) or _int_or_none(c.get("memory")) or 0
            for c in containers
        )

    tcp, udp = _static_host_ports(_network_mode(task_definition), containers)
    return {"CPU": cpu_units, "MEMORY": memory_mib, "PORTS": tcp, "PORTS_UDP": udp}


def _static_host_ports(
    mode: str, containers: Iterable[Mapping[str, Any]]
) -> tuple[list[int], list[int]]:
    tcp: set[int] = set()
    udp: set[int] = set()
    if mode not in ("bridge", "host"):
        return [], []
    for container in containers:
        for mapping in container.get("portMappings") or ():
            port = _int_or_none(mapping.get("hostPort"))
            if mode == "host" and not port:
                port = _int_or_none(mapping.get("containerPort"))
            if port and port > 0:
                (udp if mapping.get("protocol") == "udp" else tcp).add(port)
    return sorted(tcp), sorted(udp)


def tasks_that_fit(task_definition: Mapping[str, Any], registered: Any) -> int:
    """How many copies of this task fit on an instance with these (remaining) resources.

    ``registered`` is ``{"CPU", "MEMORY", "PORTS", "PORTS_UDP"}`` or ECS's own list of resource
    dicts (``registeredResources``/``remainingResources`` from DescribeContainerInstances). A task
    with a static host port fits at most once, and not at all if that port is already taken.
    task-placement.html; basic-service-params.html
    """
    available = _resource_map(registered)
    need = reserved_resources(task_definition)
    if need["CPU"] <= 0 and need["MEMORY"] <= 0:
        raise TaskDefinitionError(
            "This task reserves no CPU and no memory, so any number of copies would fit. "
            "Give its containers 'cpu' and 'memory' (or 'memoryReservation') values."
        )
    counts = [
        available[resource] // need[resource]
        for resource in ("CPU", "MEMORY")
        if need[resource] > 0
    ]
    copies = max(0, min(counts))
    taken_tcp, taken_udp = set(available["PORTS"]), set(available["PORTS_UDP"])
    if set(need["PORTS"]) & taken_tcp or set(need["PORTS_UDP"]) & taken_udp:
        return 0
    if need["PORTS"] or need["PORTS_UDP"]:
        return min(copies, 1)
    return copies


def _resource_map(resources: Any) -> dict:
    """ECS's resource list (or the kit's dict) as {"CPU": int, "MEMORY": int, "PORTS": set, ...}."""
    if isinstance(resources, Mapping):
        raw = dict(resources)
    else:
        raw = {}
        for item in resources:
            value = item.get("integerValue")
            if item.get("type") == "STRINGSET":
                value = item.get("stringSetValue") or []
            elif value is None:
                value = item.get("doubleValue", item.get("longValue", 0))
            raw[item["name"]] = value
    return {
        "CPU": int(raw.get("CPU") or 0),
        "MEMORY": int(raw.get("MEMORY") or 0),
        "PORTS": {int(p) for p in raw.get("PORTS") or ()},
        "PORTS_UDP": {int(p) for p in raw.get("PORTS_UDP") or ()},
    }
