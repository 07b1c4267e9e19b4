"""Task placement as Amazon ECS does it: resources, then constraints, then strategies.

For every task, one at a time, ECS keeps the container instances that have the CPU, memory and
host ports the task reserves, keeps those that satisfy every placement constraint, then lets each
placement strategy in turn narrow the survivors, and starts the task on the one left.
moto skips all of that (it fills instances first-fit in registration order and never reports a
failure); this module is the kit's scheduler, a plain-data core that ``ecs_workbook.engine``
plugs into moto and that notebooks call directly to see *why* a task landed where it did.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

import numpy as np
from botocore.exceptions import ClientError

from ecs_workbook import cql

# --- ECS's numbers and strings ---------------------------------------------------------------

#: Strategies per RunTask call or service ([API] RunTaskRequest.placementStrategy).
MAX_STRATEGIES = 5
#: Constraints per task, task definition and call together ([API] RunTaskRequest.placementConstraints).
MAX_CONSTRAINTS = 10
#: Tasks per RunTask call ([API] RunTaskRequest.count).
MAX_RUN_TASK_COUNT = 10
#: Reserved host ports an instance can hold, agent defaults included ([API] PortMapping.hostPort).
MAX_RESERVED_PORTS = 100
#: Longest cluster-query-language expression ([API] PlacementConstraint.expression).
MAX_EXPRESSION_CHARS = 2000

# Failure reasons, as in RunTask's ``failures[].reason``. AGENT and RESOURCE:<name> come from
# [DG-2018] api_failures_messages.md (RESOURCE:CPU verbatim in [DG-2022] ecs_cwe_events.md); the
# constraint strings are quoted from ECS's answers in github.com/aws/amazon-ecs-agent/pull/3044
# (Reasons: ["MemberOf placement constraint unsatisfied.","AGENT"], one per instance) and
# github.com/aws/containers-roadmap/issues/1201 (DistinctInstance ...).
REASON_AGENT = "AGENT"
REASON_CPU = "RESOURCE:CPU"
REASON_MEMORY = "RESOURCE:MEMORY"
REASON_PORTS = "RESOURCE:PORTS"
#: Follows ECS's ``RESOURCE:<resource name>`` pattern for the PORTS_UDP resource (derived).
REASON_PORTS_UDP = "RESOURCE:PORTS_UDP"
REASON_MEMBER_OF = "MemberOf placement constraint unsatisfied."
REASON_DISTINCT_INSTANCE = "DistinctInstance placement constraint unsatisfied."
#: RunTask on a cluster without container instances is refused: an InvalidParameterException
#: with this message (github.com/aws/amazon-ecs-cli/issues/1122, awsdocs/amazon-ecs-developer-guide
#: issue 1, a CloudTrail record in linz/geostore issue 1687); services put the same sentence in
#: their events ("... was unable to place a task ... Reason: No Container Instances were found in
#: your cluster."). The kit treats a cluster whose instances are all DRAINING the same (derived).
NO_CONTAINER_INSTANCES = "No Container Instances were found in your cluster."

#: RunTask without a strategy spreads tasks randomly ([DG] scheduling_tasks.md).
DEFAULT_RUN_TASK_STRATEGY: tuple[dict[str, str], ...] = ({"type": "random"},)
#: Services without a strategy: the Availability Zone with the fewest tasks of the service, then
#: the instance with the fewest ([DG] task-placement-strategies.md, ecs_services.md).
DEFAULT_SERVICE_STRATEGY: tuple[dict[str, str], ...] = (
    {"type": "spread", "field": "attribute:ecs.availability-zone"},
    {"type": "spread", "field": "instanceId"},
)

#: CQL subjects whose value changes as tasks land, so they are re-evaluated after each placement.
_SUBJECTS_THAT_MOVE = re.compile(r"task:group|runningTasksCount")
_DOC_STRATEGIES = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html"
)
_DOC_CONSTRAINTS = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html"
)


# --- errors, named and coded as ECS names them -----------------------------------------------


class ECSError(Exception):
    """An error ECS itself would return; ``code`` is ECS's error code."""

    code = "ServerException"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def to_client_error(self, operation_name: str = "RunTask") -> ClientError:
        """The same error as boto3 raises it for a real ECS call."""
        return ClientError(
            {
                "Error": {"Code": self.code, "Message": self.message},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            },
            operation_name,
        )


class InvalidParameterException(ECSError):
    """ECS's InvalidParameterException: a request parameter is out of range or malformed."""

    code = "InvalidParameterException"


class ClientException(ECSError):
    """ECS's ClientException: the request cannot be served as asked."""

    code = "ClientException"


# --- records ---------------------------------------------------------------------------------


@dataclass
class InstanceState:
    """One container instance as the scheduler sees it, in ECS's own terms.

    ``remaining`` is ECS's ``remainingResources``: ``CPU`` units and ``MEMORY`` MiB still free, and
    ``PORTS`` / ``PORTS_UDP`` the host ports already *reserved* (agent defaults plus running tasks).
    ``task_groups`` counts the running tasks on the instance per task group.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerInstance.html
    """

    arn: str
    ec2_instance_id: str
    remaining: dict[str, Any]
    attributes: dict[str, str]
    registered_at: datetime
    agent_version: str = "1.0.0"
    agent_connected: bool = True
    running_tasks_count: int = 0
    task_groups: Counter[str] = field(default_factory=Counter)
    status: str = "ACTIVE"

    def facts(self) -> cql.InstanceFacts:
        """What a cluster-query-language expression can ask about this instance."""
        return cql.InstanceFacts(
            attributes=dict(self.attributes),
            ec2_instance_id=self.ec2_instance_id,
            registered_at=self.registered_at,
            running_tasks_count=self.running_tasks_count,
            agent_version=self.agent_version,
            agent_connected=self.agent_connected,
            task_groups=_groups_present(self.task_groups),
        )

    @classmethod
    def from_container_instance(
        cls, container_instance: Mapping[str, Any], task_groups: Mapping[str, int] | None = None
    ) -> InstanceState:
        """Build from one ``describe_container_instances`` entry (plus its tasks' groups)."""
        remaining: dict[str, Any] = {"CPU": 0, "MEMORY": 0, "PORTS": set(), "PORTS_UDP": set()}
        for resource in container_instance.get("remainingResources", []):
            name = resource.get("name")
            if name in ("PORTS", "PORTS_UDP"):
                remaining[name] = {int(port) for port in resource.get("stringSetValue", [])}
            elif name in ("CPU", "MEMORY"):
                remaining[name] = int(resource.get("integerValue", 0))
        attributes = {
            item["name"]: item["value"]
            for item in container_instance.get("attributes", [])
            if item.get("value") is not None
        }
        registered_at = container_instance.get("registeredAt") or datetime(1970, 1, 1, tzinfo=UTC)
        if isinstance(registered_at, str):
            registered_at = datetime.fromisoformat(registered_at)
        return cls(
            arn=container_instance["containerInstanceArn"],
            ec2_instance_id=container_instance.get("ec2InstanceId", ""),
            remaining=remaining,
            attributes=attributes,
            registered_at=registered_at,
            agent_version=container_instance.get("versionInfo", {}).get("agentVersion", "1.0.0"),
            agent_connected=bool(container_instance.get("agentConnected", True)),
            running_tasks_count=int(container_instance.get("runningTasksCount", 0)),
            task_groups=Counter(task_groups or {}),
            status=container_instance.get("status", "ACTIVE"),
        )


@dataclass
class PlacementPlan:
    """Where each task of one placement request goes, and why the rest could not go anywhere.

    ``placements`` holds one container-instance ARN per placed task, in placement order;
    ``failures`` is ECS's ``failures`` list (one entry per instance that rejected the first task
    that could not be placed); ``explanations`` (only with ``explain=True``) one dict per task.
    """

    placements: list[str]
    failures: list[dict[str, str]]
    explanations: list[dict[str, Any]] | None = None
    group: str = ""
    requested_count: int = 0

    def tasks_per_instance(self) -> Counter[str]:
        """How many of the placed tasks went to each instance ARN."""
        return Counter(self.placements)


@dataclass(frozen=True)
class _Strategy:
    kind: Literal["binpack", "spread", "random"]
    resource: str = ""  # "CPU" / "MEMORY" for binpack
    attribute: str | None = None  # spread on an attribute; None = spread on instanceId

    def describe(self) -> str:
        if self.kind == "binpack":
            return f"binpack {self.resource.lower()}: least remaining {self.resource}"
        if self.kind == "spread" and self.attribute is None:
            return "spread instanceId: fewest tasks of the group on the instance"
        if self.kind == "spread":
            return f"spread attribute:{self.attribute}: fewest tasks of the group per value"
        return "random: one candidate at random"


@dataclass(frozen=True)
class _Constraint:
    kind: Literal["memberOf", "distinctInstance"]
    expression: str = ""
    parsed: Any = None
    moves_with_placements: bool = False

    def describe(self) -> str:
        if self.kind == "distinctInstance":
            return "distinctInstance: no task of the group on the instance"
        return f"memberOf {self.expression}"

    def reason(self) -> str:
        return REASON_MEMBER_OF if self.kind == "memberOf" else REASON_DISTINCT_INSTANCE


# --- validating requests ---------------------------------------------------------------------


def parse_strategies(
    placement_strategy: Sequence[Mapping[str, Any]] | None,
    default: Literal["runtask", "service"] = "runtask",
) -> list[_Strategy]:
    """Check a ``placementStrategy`` list against ECS's rules; an empty one means ECS's default."""
    if default not in ("runtask", "service"):
        raise ValueError(f"default must be 'runtask' or 'service', not {default!r}")
    if not placement_strategy:
        placement_strategy = (
            DEFAULT_RUN_TASK_STRATEGY if default == "runtask" else DEFAULT_SERVICE_STRATEGY
        )
    if len(placement_strategy) > MAX_STRATEGIES:
        raise InvalidParameterException(
            f"placementStrategy has {len(placement_strategy)} strategies; ECS accepts at most "
            f"{MAX_STRATEGIES} per task. Remove the least important ones. See {_DOC_STRATEGIES}"
        )
    return [_parse_strategy(item) for item in placement_strategy]


def _parse_strategy(item: Mapping[str, Any]) -> _Strategy:
    kind = item.get("type")
    field_name = item.get("field")
    if kind == "random":
        return _Strategy("random")
    if kind == "binpack":
        resource = str(field_name or "").upper()
        if resource not in ("CPU", "MEMORY"):
            raise InvalidParameterException(
                f"binpack field must be 'cpu' or 'memory', not {field_name!r}: binpack packs "
                f"tasks by one resource. See {_DOC_STRATEGIES}"
            )
        return _Strategy("binpack", resource=resource)
    if kind == "spread":
        text = str(field_name or "")
        if text.lower() in ("instanceid", "host"):
            return _Strategy("spread")
        if text.startswith("attribute:") and len(text) > len("attribute:"):
            return _Strategy("spread", attribute=text[len("attribute:") :])
        raise InvalidParameterException(
            f"spread field must be 'instanceId', 'host' or 'attribute:<name>' (for example "
            f"'attribute:ecs.availability-zone'), not {field_name!r}. See {_DOC_STRATEGIES}"
        )
    raise InvalidParameterException(
        f"placement strategy type must be one of random, spread, binpack; got {kind!r}. "
        f"See {_DOC_STRATEGIES}"
    )


def parse_constraints(
    placement_constraints: Sequence[Mapping[str, Any]] | None,
) -> list[_Constraint]:
    """Check a ``placementConstraints`` list (task definition's plus the call's) and parse CQL."""
    placement_constraints = list(placement_constraints or [])
    if len(placement_constraints) > MAX_CONSTRAINTS:
        raise InvalidParameterException(
            f"{len(placement_constraints)} placement constraints apply to this task; ECS accepts "
            f"at most {MAX_CONSTRAINTS}, counting the task definition's and the call's together. "
            f"See {_DOC_CONSTRAINTS}"
        )
    parsed = []
    for item in placement_constraints:
        kind = item.get("type")
        expression = item.get("expression")
        if kind == "distinctInstance":
            if expression:
                raise InvalidParameterException(
                    "distinctInstance takes no expression; remove 'expression' or use memberOf. "
                    f"See {_DOC_CONSTRAINTS}"
                )
            parsed.append(_Constraint("distinctInstance"))
        elif kind == "memberOf":
            parsed.append(_parse_member_of(expression))
        else:
            raise InvalidParameterException(
                f"placement constraint type must be distinctInstance or memberOf; got {kind!r}. "
                f"See {_DOC_CONSTRAINTS}"
            )
    return parsed


def _parse_member_of(expression: Any) -> _Constraint:
    if not isinstance(expression, str) or not expression.strip():
        raise InvalidParameterException(
            "memberOf needs an expression in the cluster query language, for example "
            f"'attribute:ecs.instance-type =~ t2.*'. See {_DOC_CONSTRAINTS}"
        )
    if len(expression) > MAX_EXPRESSION_CHARS:
        raise InvalidParameterException(
            f"The memberOf expression is {len(expression)} characters long; ECS accepts at most "
            f"{MAX_EXPRESSION_CHARS}."
        )
    try:
        parsed = cql.parse(expression)
    except cql.CQLError as error:
        raise InvalidParameterException(
            f"The memberOf expression {expression!r} is not valid cluster query language: "
            f"{error}. See "
            "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html"
        ) from error
    moves = bool(_SUBJECTS_THAT_MOVE.search(expression))
    return _Constraint("memberOf", expression, parsed, moves)


def check_run_task_count(count: int) -> None:
    """RunTask places 1 to 10 tasks per call ([API] RunTaskRequest.count)."""
    if (
        not isinstance(count, int)
        or isinstance(count, bool)
        or not 1 <= count <= MAX_RUN_TASK_COUNT
    ):
        raise InvalidParameterException(
            f"count must be between 1 and {MAX_RUN_TASK_COUNT} for RunTask (got {count!r}). "
            "Call RunTask again for more tasks, or run them as a service."
        )


# --- the core --------------------------------------------------------------------------------


def place_tasks(
    instances: Sequence[InstanceState],
    need: Mapping[str, Any],
    count: int,
    *,
    placement_strategy: Sequence[Mapping[str, Any]] | None = None,
    placement_constraints: Sequence[Mapping[str, Any]] | None = None,
    group: str,
    rng: random.Random,
    explain: bool = False,
    default: Literal["runtask", "service"] = "runtask",
) -> PlacementPlan:
    """Place ``count`` copies of a task on ``instances`` the way ECS does; inputs are not changed.

    ``need`` is what one task reserves (``taskdef.reserved_resources``); ``placement_constraints``
    are the task definition's and the call's together; ``group`` is the task group
    (``family:<name>`` for RunTask, ``service:<name>`` for services). Each task sees the ones
    placed before it. Strategies refine one another in order; the ties left at the end are
    broken by ``rng``. ``default`` picks ECS's default strategy and limits: ``"runtask"`` is
    random with 1-10 tasks per call, ``"service"`` is AZ-balanced spread.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement.html
    """
    strategies = parse_strategies(placement_strategy, default)
    constraints = parse_constraints(placement_constraints)
    if default == "runtask":
        check_run_task_count(count)
    elif count < 0:
        raise InvalidParameterException(f"count must not be negative (got {count}).")
    active = [inst for inst in instances if inst.status == "ACTIVE"]
    if not active:
        raise InvalidParameterException(NO_CONTAINER_INSTANCES)
    state = _ClusterState(active, instances, need, group, strategies, constraints)
    placements: list[str] = []
    failures: list[dict[str, str]] = []
    explanations: list[dict[str, Any]] | None = [] if explain else None
    while len(placements) < count:
        chosen, explanation = state.choose(rng, explain)
        if explanations is not None:
            explanation["task"] = len(placements) + 1
            explanations.append(explanation)
        if chosen is None:
            failures = state.failures()
            if explanations is not None:
                explanations[-1]["failures"] = failures
            break  # nothing changed, so every later task would fail the same way
        tasks = 1 if explain else state.run_length(chosen, count - len(placements))
        state.place(chosen, tasks)
        placements.extend([state.arns[chosen]] * tasks)
    return PlacementPlan(placements, failures, explanations, group, count)


class _ClusterState:
    """Per-call working copy of the cluster as arrays, updated one placement at a time.

    Only the instance that just received a task changes, so every check is recomputed for that
    instance alone; checks that do not move with placements (memberOf on attributes) are
    evaluated once per call.
    """

    def __init__(
        self,
        active: Sequence[InstanceState],
        everyone: Sequence[InstanceState],
        need: Mapping[str, Any],
        group: str,
        strategies: list[_Strategy],
        constraints: list[_Constraint],
    ) -> None:
        self.instances = active
        self.arns = [inst.arn for inst in active]
        self.group = group
        self.strategies = strategies
        self.constraints = constraints
        self.need_cpu = int(need.get("CPU", 0) or 0)
        self.need_memory = int(need.get("MEMORY", 0) or 0)
        self.need_ports = frozenset(int(p) for p in need.get("PORTS", ()) or ())
        self.need_ports_udp = frozenset(int(p) for p in need.get("PORTS_UDP", ()) or ())
        self.cpu = np.array([int(i.remaining.get("CPU", 0)) for i in active], dtype=np.int64)
        self.memory = np.array([int(i.remaining.get("MEMORY", 0)) for i in active], dtype=np.int64)
        self.uses_ports = bool(self.need_ports or self.need_ports_udp)
        if self.uses_ports:  # port sets are only needed when the task reserves host ports
            self.ports = [_port_set(i.remaining.get("PORTS")) for i in active]
            self.ports_udp = [_port_set(i.remaining.get("PORTS_UDP")) for i in active]
        self.running = [int(i.running_tasks_count) for i in active]
        self.group_tasks = np.array([i.task_groups.get(group, 0) for i in active], dtype=np.int64)
        # Checks in the order ECS's pipeline applies them; each is (reason, description, mask).
        agent = np.array([i.agent_connected for i in active], dtype=bool)
        self.checks: list[tuple[str, str, np.ndarray]] = [
            (REASON_AGENT, "ACTIVE, agent connected", agent),
            (REASON_CPU, f"CPU >= {self.need_cpu} units", self.cpu >= self.need_cpu),
            (REASON_MEMORY, f"MEMORY >= {self.need_memory} MiB", self.memory >= self.need_memory),
        ]
        if self.need_ports:
            self.checks.append(
                (
                    REASON_PORTS,
                    f"TCP host ports {sorted(self.need_ports)} free",
                    np.array([self._ports_ok(k) for k in range(len(active))], dtype=bool),
                )
            )
        if self.need_ports_udp:
            self.checks.append(
                (
                    REASON_PORTS_UDP,
                    f"UDP host ports {sorted(self.need_ports_udp)} free",
                    np.array([self._ports_udp_ok(k) for k in range(len(active))], dtype=bool),
                )
            )
        self.moving_constraints: list[tuple[_Constraint, np.ndarray]] = []
        for constraint in constraints:
            if constraint.kind == "distinctInstance":
                mask = self.group_tasks == 0
            else:
                matches = constraint.parsed.matches
                mask = np.array([matches(self._facts(k)) for k in range(len(active))], dtype=bool)
            self.checks.append((constraint.reason(), constraint.describe(), mask))
            if constraint.kind == "memberOf" and constraint.moves_with_placements:
                self.moving_constraints.append((constraint, mask))
        self.distinct = any(c.kind == "distinctInstance" for c in constraints)
        self.eligible = np.logical_and.reduce([mask for _, _, mask in self.checks])
        # Spread on an attribute balances task counts per value over the whole cluster.
        self.spread_values: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for strategy in strategies:
            attribute = strategy.attribute
            if strategy.kind == "spread" and attribute and attribute not in self.spread_values:
                self.spread_values[attribute] = self._value_counts(attribute, everyone)

    def _value_counts(
        self, attribute: str, everyone: Sequence[InstanceState]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Index of each active instance's value, and tasks of the group per value (all instances).

        An instance without the attribute counts under its own "missing" value (derived).
        """
        index: dict[str | None, int] = {}
        counts: list[int] = []
        for inst in everyone:
            value = inst.attributes.get(attribute)
            if value not in index:
                index[value] = len(counts)
                counts.append(0)
            counts[index[value]] += inst.task_groups.get(self.group, 0)
        of_active = np.array(
            [index[inst.attributes.get(attribute)] for inst in self.instances], dtype=np.int64
        )
        return of_active, np.array(counts, dtype=np.int64)

    def _ports_ok(self, k: int) -> bool:
        held = self.ports[k]
        if not self.need_ports.isdisjoint(held):
            return False
        return len(held | self.need_ports) + len(self.ports_udp[k]) <= MAX_RESERVED_PORTS

    def _ports_udp_ok(self, k: int) -> bool:
        held = self.ports_udp[k]
        if not self.need_ports_udp.isdisjoint(held):
            return False
        return len(held | self.need_ports_udp) + len(self.ports[k]) <= MAX_RESERVED_PORTS

    def choose(self, rng: random.Random, explain: bool) -> tuple[int | None, dict[str, Any]]:
        """Index of the instance the next task goes to (None if none qualifies)."""
        explanation: dict[str, Any] = {}
        if explain:
            explanation["filters"] = self._explain_filters()
        candidates = np.flatnonzero(self.eligible)
        steps: list[dict[str, Any]] = []
        if candidates.size:
            for strategy in self.strategies:
                candidates, scores = self._apply(strategy, candidates, rng, explain)
                if explain:
                    steps.append(
                        {
                            "rule": strategy.describe(),
                            "scores": scores,
                            "candidates": [self.arns[k] for k in candidates],
                        }
                    )
        chosen: int | None = None
        if candidates.size == 1:
            chosen = int(candidates[0])
        elif candidates.size > 1:
            chosen = int(candidates[rng.randrange(candidates.size)])
            if explain:
                steps.append(
                    {
                        "rule": f"tie between {candidates.size}: broken at random",
                        "scores": {},
                        "candidates": [self.arns[chosen]],
                    }
                )
        if explain:
            explanation["strategies"] = steps
            explanation["chosen"] = None if chosen is None else self.arns[chosen]
        return chosen, explanation

    def _apply(
        self, strategy: _Strategy, candidates: np.ndarray, rng: random.Random, explain: bool
    ) -> tuple[np.ndarray, dict[str, int]]:
        """Survivors of one strategy: the candidates tied for its best value."""
        if strategy.kind == "random":
            if candidates.size > 1:
                candidates = candidates[rng.randrange(candidates.size) :][:1]
            return candidates, {}
        if strategy.kind == "binpack":
            keys = (self.cpu if strategy.resource == "CPU" else self.memory)[candidates]
        elif strategy.attribute is None:
            keys = self.group_tasks[candidates]
        else:
            value_index, value_counts = self.spread_values[strategy.attribute]
            keys = value_counts[value_index[candidates]]
        scores = {}
        if explain:
            scores = {self.arns[k]: int(v) for k, v in zip(candidates, keys, strict=True)}
        return candidates[keys == keys.min()], scores

    def _explain_filters(self) -> list[dict[str, Any]]:
        steps = []
        survivors = np.ones(len(self.arns), dtype=bool)
        for _, description, mask in self.checks:
            survivors = survivors & mask
            steps.append(
                {
                    "rule": description,
                    "candidates": [self.arns[k] for k in np.flatnonzero(survivors)],
                }
            )
        return steps

    def run_length(self, k: int, tasks_left: int) -> int:
        """How many of the next tasks certainly go to instance ``k``, just chosen (at least 1).

        When the first strategy is binpack and the task takes some of that resource, the chosen
        instance is the unique emptiest after each placement, so it keeps receiving tasks while
        they fit: the same answer as placing them one by one, without re-scanning the cluster.
        """
        first = self.strategies[0]
        if first.kind != "binpack" or self.moving_constraints:
            return 1
        if (self.need_cpu if first.resource == "CPU" else self.need_memory) <= 0:
            return 1
        if self.need_ports or self.need_ports_udp or self.distinct:
            return 1
        fits = tasks_left
        if self.need_cpu > 0:
            fits = min(fits, int(self.cpu[k]) // self.need_cpu)
        if self.need_memory > 0:
            fits = min(fits, int(self.memory[k]) // self.need_memory)
        return max(1, fits)

    def place(self, k: int, tasks: int = 1) -> None:
        """Reserve ``tasks`` copies of the task's resources on instance ``k``; refresh its checks."""
        self.cpu[k] -= self.need_cpu * tasks
        self.memory[k] -= self.need_memory * tasks
        if self.uses_ports:
            self.ports[k] = self.ports[k] | self.need_ports
            self.ports_udp[k] = self.ports_udp[k] | self.need_ports_udp
        self.running[k] += tasks
        self.group_tasks[k] += tasks
        for value_index, value_counts in self.spread_values.values():
            value_counts[value_index[k]] += tasks
        for reason, _, mask in self.checks:
            if reason == REASON_CPU:
                mask[k] = self.cpu[k] >= self.need_cpu
            elif reason == REASON_MEMORY:
                mask[k] = self.memory[k] >= self.need_memory
            elif reason == REASON_PORTS:
                mask[k] = self._ports_ok(k)
            elif reason == REASON_PORTS_UDP:
                mask[k] = self._ports_udp_ok(k)
            elif reason == REASON_DISTINCT_INSTANCE:
                mask[k] = False
        if self.moving_constraints:
            facts = self._facts(k)
            for constraint, mask in self.moving_constraints:
                mask[k] = constraint.parsed.matches(facts)
        self.eligible[k] = all(mask[k] for _, _, mask in self.checks)

    def _facts(self, k: int) -> cql.InstanceFacts:
        """Instance ``k`` as CQL sees it now, with the tasks placed so far in this call."""
        inst = self.instances[k]
        return cql.InstanceFacts(
            attributes=inst.attributes,  # read-only here, so no copy
            ec2_instance_id=inst.ec2_instance_id,
            registered_at=inst.registered_at,
            running_tasks_count=self.running[k],
            agent_version=inst.agent_version,
            agent_connected=inst.agent_connected,
            task_groups=_groups_present(
                inst.task_groups, self.group if self.group_tasks[k] else None
            ),
        )

    def failures(self) -> list[dict[str, str]]:
        """ECS's failures: each instance with the first rule it broke, in the pipeline's order."""
        failures = []
        for k, arn in enumerate(self.arns):
            for reason, _, mask in self.checks:
                if not mask[k]:
                    failures.append({"arn": arn, "reason": reason})
                    break
        return failures


def _groups_present(task_groups: Mapping[str, int], also: str | None = None) -> frozenset[str]:
    """The task groups with at least one task on an instance (plus ``also``, if given)."""
    present = {group for group, tasks in task_groups.items() if tasks > 0}
    if also is not None:
        present.add(also)
    return frozenset(present)


def _port_set(ports: Iterable[Any] | None) -> frozenset[int]:
    return frozenset(int(p) for p in ports or ())


def apply_placements(
    instances: Sequence[InstanceState], plan: PlacementPlan, need: Mapping[str, Any]
) -> list[InstanceState]:
    """The instances after the plan's tasks started; changed ones are new records, inputs untouched.

    Lets a notebook chain RunTask calls on plain data: each task takes ``need`` from
    ``remainingResources`` and joins ``plan.group`` on its instance.
    """
    placed = Counter(plan.placements)
    after = []
    for inst in instances:
        n = placed.get(inst.arn, 0)
        if not n:
            after.append(inst)  # unchanged: place_tasks never modifies an InstanceState
            continue
        remaining = dict(inst.remaining)
        remaining["CPU"] = int(remaining.get("CPU", 0)) - n * int(need.get("CPU", 0) or 0)
        remaining["MEMORY"] = int(remaining.get("MEMORY", 0)) - n * int(need.get("MEMORY", 0) or 0)
        remaining["PORTS"] = set(_port_set(remaining.get("PORTS"))) | set(need.get("PORTS") or ())
        remaining["PORTS_UDP"] = set(_port_set(remaining.get("PORTS_UDP"))) | set(
            need.get("PORTS_UDP") or ()
        )
        groups = Counter(inst.task_groups)
        groups[plan.group] += n
        after.append(
            replace(
                inst,
                remaining=remaining,
                task_groups=groups,
                running_tasks_count=inst.running_tasks_count + n,
            )
        )
    return after


# --- explaining ------------------------------------------------------------------------------


def explain_text(plan: PlacementPlan | Mapping[str, Any]) -> str:
    """The explanation of a plan as lines a learner can read, one block per task.

    Takes a :class:`PlacementPlan` or the response of ``run_task(..., explain=True)``.
    """
    if isinstance(plan, Mapping):
        plan = PlacementPlan([], list(plan.get("failures", [])), plan.get("explanation"))
    if plan.explanations is None:
        return "No explanation recorded: call place_tasks(..., explain=True)."
    lines = []
    for entry in plan.explanations:
        chosen = entry.get("chosen")
        target = _short(chosen) if chosen else "NOT PLACED"
        lines.append(f"Task {entry.get('task')} -> {target}")
        for step in entry.get("filters", []):
            lines.append(f"  filter   {step['rule']:<46} {_names(step['candidates'])}")
        for step in entry.get("strategies", []):
            scores = step.get("scores") or {}
            shown = ", ".join(f"{_short(a)}={v}" for a, v in scores.items())
            lines.append(f"  strategy {step['rule']:<46} {_names(step['candidates'])}")
            if shown:
                lines.append(f"           values: {shown}")
        for failure in entry.get("failures", []):
            lines.append(f"  failure  {_short(failure.get('arn', ''))}: {failure['reason']}")
    return "\n".join(lines)


def _short(arn: str) -> str:
    return arn.rsplit("/", 1)[-1] if arn else arn


def _names(arns: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(_short(a) for a in arns[:limit])
    more = f" (+{len(arns) - limit} more)" if len(arns) > limit else ""
    return f"[{len(arns)}] {shown}{more}"


# --- scale-in --------------------------------------------------------------------------------


def select_tasks_to_stop(
    tasks_by_instance: Mapping[str, Sequence[str]],
    instances: Sequence[InstanceState],
    count: int,
    placement_strategy: Sequence[Mapping[str, Any]] | None = None,
    *,
    rng: random.Random,
    need: Mapping[str, Any] | None = None,
) -> list[str]:
    """Which of a service's tasks ECS stops when it scales in by ``count``, in stopping order.

    ``tasks_by_instance`` maps container-instance ARN to the service's task ARNs there. Each
    strategy picks the other end of what it would place on: binpack stops where the most of its
    resource would remain; spread (and the default) keeps the balance, stopping in the AZ (or
    value, or instance) with the most tasks; random picks at random. Ties: a random task.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_services.html
    """
    strategies = parse_strategies(placement_strategy, "service")
    by_arn = {inst.arn: inst for inst in instances}
    tasks = {arn: list(task_arns) for arn, task_arns in tasks_by_instance.items() if task_arns}
    remaining = {
        arn: {
            "CPU": int(by_arn[arn].remaining.get("CPU", 0)) if arn in by_arn else 0,
            "MEMORY": int(by_arn[arn].remaining.get("MEMORY", 0)) if arn in by_arn else 0,
        }
        for arn in tasks
    }
    freed_cpu = int((need or {}).get("CPU", 0) or 0)
    freed_memory = int((need or {}).get("MEMORY", 0) or 0)

    def value_of(arn: str, attribute: str) -> str | None:
        inst = by_arn.get(arn)
        return inst.attributes.get(attribute) if inst else None

    stopped: list[str] = []
    while len(stopped) < count and any(tasks.values()):
        candidates = sorted(arn for arn, task_arns in tasks.items() if task_arns)
        for strategy in strategies:
            if len(candidates) <= 1:
                break
            if strategy.kind == "random":
                candidates = [candidates[rng.randrange(len(candidates))]]
                continue
            if strategy.kind == "binpack":
                keys = {arn: remaining[arn][strategy.resource] for arn in candidates}
            elif strategy.attribute is None:
                keys = {arn: len(tasks[arn]) for arn in candidates}
            else:
                per_value: Counter[str | None] = Counter()
                for arn, task_arns in tasks.items():
                    per_value[value_of(arn, strategy.attribute)] += len(task_arns)
                keys = {arn: per_value[value_of(arn, strategy.attribute)] for arn in candidates}
            best = max(keys.values())
            candidates = [arn for arn in candidates if keys[arn] == best]
        pool = [(arn, task) for arn in candidates for task in tasks[arn]]
        arn, task = pool[rng.randrange(len(pool))] if len(pool) > 1 else pool[0]
        tasks[arn].remove(task)
        remaining[arn]["CPU"] += freed_cpu
        remaining[arn]["MEMORY"] += freed_memory
        stopped.append(task)
    return stopped


# --- the boto3-facing RunTask ----------------------------------------------------------------


def run_task(
    ecs_client: Any, *, explain: bool = False, rng: random.Random | None = None, **params: Any
) -> dict[str, Any]:
    """``ecs.run_task`` with ECS's placement: same parameters, same response shape.

    Reads the cluster (container instances, running tasks and their groups, the task
    definition) through ``ecs_client``, places with :func:`place_tasks`, then starts each task
    with ``ecs_client.start_task`` on the chosen instance. Bad parameters raise botocore's
    ``ClientError`` with ECS's error code. ``explain=True`` adds an ``explanation`` key (the
    per-task steps of :func:`place_tasks`). ``rng`` breaks ties; by default it is seeded from the
    cluster's state, so a notebook gives the same answer on every run.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html
    """
    from ecs_workbook import taskdef

    _validate_like_boto3(ecs_client, "RunTask", params)
    if params.get("launchType") == "FARGATE" or params.get("capacityProviderStrategy"):
        # Fargate picks its own capacity: there are no container instances to place on.
        return ecs_client.run_task(**params)
    cluster = params.get("cluster", "default")
    try:
        check_run_task_count(params.get("count", 1))
        described = ecs_client.describe_task_definition(taskDefinition=params["taskDefinition"])
        task_definition = described["taskDefinition"]
        try:
            need = taskdef.reserved_resources(task_definition, params.get("overrides"))
        except taskdef.TaskDefinitionError as error:
            raise ClientException(str(error)) from error
        group = params.get("group") or f"family:{task_definition['family']}"
        constraints = list(task_definition.get("placementConstraints") or []) + list(
            params.get("placementConstraints") or []
        )
        instances, running_task_count = read_cluster(ecs_client, cluster)
        if rng is None:
            rng = random.Random(f"{cluster}:{running_task_count}")
        plan = place_tasks(
            instances,
            need,
            params.get("count", 1),
            placement_strategy=params.get("placementStrategy"),
            placement_constraints=constraints,
            group=group,
            rng=rng,
            explain=explain,
            default="runtask",
        )
    except ECSError as error:
        raise error.to_client_error("RunTask") from None
    start_params = {
        key: params[key]
        for key in (
            "overrides",
            "startedBy",
            "tags",
            "networkConfiguration",
            "enableECSManagedTags",
            "propagateTags",
            "referenceId",
            "enableExecuteCommand",
        )
        if params.get(key) is not None
    }
    tasks: list[dict[str, Any]] = []
    for instance_arn in plan.placements:
        started = ecs_client.start_task(
            cluster=cluster,
            taskDefinition=task_definition["taskDefinitionArn"],
            containerInstances=[instance_arn],
            group=group,
            **start_params,
        )
        tasks.extend(started.get("tasks", []))
    response: dict[str, Any] = {"tasks": tasks, "failures": plan.failures}
    if explain:
        response["explanation"] = plan.explanations
    return response


def _validate_like_boto3(ecs_client: Any, operation_name: str, params: Mapping[str, Any]) -> None:
    """Reject unknown or mistyped parameters exactly as the boto3 call itself would."""
    from botocore.exceptions import ParamValidationError
    from botocore.validate import ParamValidator

    input_shape = ecs_client.meta.service_model.operation_model(operation_name).input_shape
    report = ParamValidator().validate(dict(params), input_shape)
    if report.has_errors():
        raise ParamValidationError(report=report.generate_report())


def read_cluster(ecs_client: Any, cluster: str) -> tuple[list[InstanceState], int]:
    """The cluster's container instances as :class:`InstanceState`, and its running-task count.

    Task groups per instance come from the tasks whose desired status is RUNNING (ECS looks at
    desired status for placement, [DG] task-placement-constraints.md).
    """
    instance_arns: list[str] = []
    for page in ecs_client.get_paginator("list_container_instances").paginate(cluster=cluster):
        instance_arns.extend(page.get("containerInstanceArns", []))
    task_arns: list[str] = []
    for page in ecs_client.get_paginator("list_tasks").paginate(
        cluster=cluster, desiredStatus="RUNNING"
    ):
        task_arns.extend(page.get("taskArns", []))
    groups: dict[str, Counter[str]] = {}
    for chunk in _chunks(task_arns, 100):
        for task in ecs_client.describe_tasks(cluster=cluster, tasks=chunk).get("tasks", []):
            if task.get("desiredStatus", "RUNNING") != "RUNNING":
                continue
            arn = task.get("containerInstanceArn")
            if arn:
                groups.setdefault(arn, Counter())[task.get("group", "")] += 1
    instances = []
    for chunk in _chunks(instance_arns, 100):
        described = ecs_client.describe_container_instances(
            cluster=cluster, containerInstances=chunk
        )
        for container_instance in described.get("containerInstances", []):
            arn = container_instance["containerInstanceArn"]
            instances.append(
                InstanceState.from_container_instance(container_instance, groups.get(arn))
            )
    return instances, len(task_arns)


def _chunks(items: Sequence[str], size: int) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])
