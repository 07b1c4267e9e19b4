"""Rolling deployment (``ECS`` deployment controller): how many old and new tasks run, step by step.

When a service's task definition changes, the ECS service scheduler replaces old tasks with new ones
inside two bounds taken from ``deploymentConfiguration``: at least ``minimumHealthyPercent`` of
``desiredCount`` must stay healthy (rounded **up**) and at most ``maximumPercent`` may be running or
pending (rounded **down**). New tasks count as healthy once their health check passes (40 s after
RUNNING without a load balancer or container health check). An optional deployment circuit breaker
marks the deployment FAILED after enough failed tasks and can roll back to the last COMPLETED one.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html

The model is event driven and works on cohorts (tasks started together move together), so a
1,000-task service costs no more than a 4-task one. Not modelled: placement/capacity (every task
that may start, starts), the restart throttle for tasks that keep failing to start
(service-throttle-logic), and what a FAILED deployment without rollback does afterwards.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from ecs_workbook.sim import _explore

if TYPE_CHECKING:
    from matplotlib.figure import Figure

DEPLOYMENT_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html"
)
CIRCUIT_BREAKER_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html"
)

#: Defaults for a REPLICA service (API DeploymentConfiguration).
DEFAULT_MINIMUM_HEALTHY_PERCENT = 100
DEFAULT_MAXIMUM_PERCENT = 200
#: Without a load balancer or container health check a task counts as healthy 40 s after RUNNING.
DEFAULT_HEALTHY_AFTER_SECONDS = 40.0
#: ECS_CONTAINER_STOP_TIMEOUT default (agent README): SIGTERM, then SIGKILL after 30 s.
DEFAULT_STOP_SECONDS = 30.0
#: PENDING -> RUNNING (image pull, container start): workload dependent, illustrative only.
DEFAULT_START_SECONDS = 30.0

#: Circuit breaker failure threshold: 50 % of desiredCount, rounded up, clamped to [3, 200].
#: The current API reference (ServiceDeploymentCircuitBreaker.threshold, botocore service model)
#: gives 3 as the minimum; the 2023 Developer Guide archive gave 10 (pass ``minimum=10`` for that).
CIRCUIT_BREAKER_MINIMUM_THRESHOLD = 3
CIRCUIT_BREAKER_MINIMUM_THRESHOLD_2023 = 10
CIRCUIT_BREAKER_MAXIMUM_THRESHOLD = 200

UNABLE_TO_STOP_OR_START = (
    "service ({service}) was unable to stop or start tasks during a deployment because of the "
    "service deployment configuration. Update the minimumHealthyPercent or maximumPercent value "
    "and try again."
)

OLD, NEW = "old", "new"
PENDING, RUNNING, HEALTHY, STOPPING = "PENDING", "RUNNING", "HEALTHY", "STOPPING"
_STOPPED, _FAILED_START, _UNHEALTHY = "STOPPED", "FAILED_START", "UNHEALTHY"


class DeploymentConfigurationError(ValueError):
    """A deployment input ECS would reject or the model cannot represent, said for the learner."""


# --------------------------------------------------------------------------------------------
# Documented arithmetic
# --------------------------------------------------------------------------------------------


def deployment_bounds(
    desired_count: int,
    minimum_healthy_percent: int = DEFAULT_MINIMUM_HEALTHY_PERCENT,
    maximum_percent: int = DEFAULT_MAXIMUM_PERCENT,
) -> tuple[int, int]:
    """(lowest healthy task count, highest running+pending count) ECS allows during a deployment.

    The lower bound is ``desiredCount × minimumHealthyPercent / 100`` rounded **up**; the upper bound
    is ``desiredCount × maximumPercent / 100`` rounded **down** (exact integer arithmetic).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentConfiguration.html
    """
    _check_counts(desired_count, minimum_healthy_percent, maximum_percent)
    lower = -(-desired_count * minimum_healthy_percent // 100)
    upper = desired_count * maximum_percent // 100
    return lower, upper


def circuit_breaker_threshold(
    desired_count: int,
    *,
    threshold_type: str = "BOUNDED_PERCENT",
    value: int = 50,
    minimum: int = CIRCUIT_BREAKER_MINIMUM_THRESHOLD,
    maximum: int = CIRCUIT_BREAKER_MAXIMUM_THRESHOLD,
) -> int:
    """Failed tasks after which the deployment circuit breaker marks the deployment FAILED.

    Default (``BOUNDED_PERCENT`` 50): ``0.5 × desiredCount`` rounded up, clamped to [3, 200]
    (desired 1 -> 3, 25 -> 13, 400 -> 200). ``thresholdConfiguration`` types from the API:
    ``UNBOUNDED_PERCENT`` (no clamp) and ``COUNT`` (``value`` itself).
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ServiceDeploymentCircuitBreaker.html
    """
    if desired_count < 0:
        raise DeploymentConfigurationError(f"desiredCount must be 0 or more, got {desired_count}.")
    if threshold_type == "COUNT":
        return int(value)
    percent_of_desired = -(-desired_count * int(value) // 100)
    if threshold_type == "UNBOUNDED_PERCENT":
        return percent_of_desired
    if threshold_type == "BOUNDED_PERCENT":
        return min(max(percent_of_desired, minimum), maximum)
    raise DeploymentConfigurationError(
        f"thresholdConfiguration type {threshold_type!r} is not one ECS knows; expected "
        "'BOUNDED_PERCENT', 'UNBOUNDED_PERCENT' or 'COUNT'."
    )


@dataclass(frozen=True)
class CircuitBreaker:
    """``deploymentConfiguration.deploymentCircuitBreaker`` as plain data (API key names in
    :meth:`from_api`). ``resetOnHealthyTask`` is not modelled: here either every new task fails or
    none does, so a reset could never change the outcome.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentCircuitBreaker.html
    """

    enable: bool = True
    rollback: bool = False
    threshold_type: str = "BOUNDED_PERCENT"
    threshold_value: int = 50
    minimum_threshold: int = CIRCUIT_BREAKER_MINIMUM_THRESHOLD

    @classmethod
    def from_api(cls, breaker: Mapping[str, Any] | None) -> CircuitBreaker | None:
        """From ``{"enable": bool, "rollback": bool, ...}``; None when absent or not enabled."""
        if not breaker or not breaker.get("enable", False):
            return None
        threshold = breaker.get("thresholdConfiguration") or {}
        return cls(
            enable=True,
            rollback=bool(breaker.get("rollback", False)),
            threshold_type=threshold.get("type", "BOUNDED_PERCENT"),
            threshold_value=int(threshold.get("value", 50)),
        )

    def threshold(self, desired_count: int) -> int:
        """The failure threshold for ``desired_count`` tasks."""
        return circuit_breaker_threshold(
            desired_count,
            threshold_type=self.threshold_type,
            value=self.threshold_value,
            minimum=self.minimum_threshold,
        )


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeploymentEvent:
    """Something the scheduler did or decided, at ``time_seconds`` after the deployment started."""

    time_seconds: float
    kind: str
    message: str


@dataclass(frozen=True)
class FirstStep:
    """What ECS does at the moment the deployment starts."""

    start_new: int
    stop_old: int
    lower_bound: int
    upper_bound: int
    description: str

    @property
    def stalled(self) -> bool:
        """True when the configuration lets ECS neither start nor stop a task."""
        return self.start_new == 0 and self.stop_old == 0


@dataclass(frozen=True)
class DeploymentResult:
    """Task counts after every scheduler event, plus the events themselves.

    Arrays share one index: ``times_seconds[i]`` is when the counts in row ``i`` begin (step
    function). ``running`` counts RUNNING tasks (healthy or not yet); ``pending`` counts PENDING;
    ``stopping`` counts tasks being stopped; ``counted_toward_maximum`` is what ``maximumPercent``
    limits.
    """

    desired_count: int
    minimum_healthy_percent: int
    maximum_percent: int
    lower_bound: int
    upper_bound: int
    failure_threshold: int | None
    times_seconds: np.ndarray
    old_running: np.ndarray
    new_running: np.ndarray
    old_pending: np.ndarray
    new_pending: np.ndarray
    old_healthy: np.ndarray
    new_healthy: np.ndarray
    stopping: np.ndarray
    counted_toward_maximum: np.ndarray
    events: list[DeploymentEvent]
    rollout_state: str
    failure_count: int
    rolled_back: bool
    finished_seconds: float
    _first_step: FirstStep = field(repr=False)

    def first_step(self) -> FirstStep:
        """What ECS does first, e.g. ``start 4 new, stop 2 old``."""
        return self._first_step

    @property
    def healthy(self) -> np.ndarray:
        """Healthy tasks of either revision (what ``minimumHealthyPercent`` protects)."""
        return self.old_healthy + self.new_healthy

    @property
    def total_running(self) -> np.ndarray:
        """RUNNING tasks of either revision."""
        return self.old_running + self.new_running

    def events_of(self, kind: str) -> list[DeploymentEvent]:
        """Events of one kind (``"completed"``, ``"circuit_breaker_tripped"``, ...)."""
        return [event for event in self.events if event.kind == kind]

    def counts_at(self, time_seconds: float) -> dict[str, int]:
        """Counts in force at ``time_seconds`` (last row starting at or before it)."""
        index = int(np.searchsorted(self.times_seconds, time_seconds, side="right")) - 1
        index = max(index, 0)
        names = (
            "old_running",
            "new_running",
            "old_pending",
            "new_pending",
            "old_healthy",
            "new_healthy",
            "stopping",
            "counted_toward_maximum",
        )
        return {name: int(getattr(self, name)[index]) for name in names}


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------


@dataclass
class _Cohort:
    """Tasks of one revision launched (or stopped) together; they change state together."""

    revision: str
    count: int
    state: str
    next_time: float | None = None
    next_state: str | None = None
    fails: bool = False


@dataclass
class _Run:
    desired: int
    lower: int
    upper: int
    start_seconds: float
    healthy_after_seconds: float
    unhealthy_after_seconds: float
    stop_seconds: float
    new_tasks_fail: bool
    failure_stage: str
    breaker: CircuitBreaker | None
    threshold: int | None
    count_stopping: bool
    service_name: str
    cohorts: list[_Cohort] = field(default_factory=list)
    events: list[DeploymentEvent] = field(default_factory=list)
    rows: list[tuple[float, ...]] = field(default_factory=list)
    primary: str = NEW
    failures: int = 0
    tripped: bool = False
    rolled_back: bool = False

    # -- counting ---------------------------------------------------------------------------

    def count(self, revision: str | None, *states: str) -> int:
        return sum(
            cohort.count
            for cohort in self.cohorts
            if cohort.state in states and (revision is None or cohort.revision == revision)
        )

    def counted_toward_maximum(self) -> int:
        states = (
            (PENDING, RUNNING, HEALTHY, STOPPING)
            if self.count_stopping
            else (PENDING, RUNNING, HEALTHY)
        )
        return self.count(None, *states)

    def record(self, time_seconds: float) -> None:
        row = (
            time_seconds,
            self.count(OLD, RUNNING, HEALTHY),
            self.count(NEW, RUNNING, HEALTHY),
            self.count(OLD, PENDING),
            self.count(NEW, PENDING),
            self.count(OLD, HEALTHY),
            self.count(NEW, HEALTHY),
            self.count(None, STOPPING),
            self.counted_toward_maximum(),
        )
        if self.rows and self.rows[-1][0] == time_seconds:
            self.rows[-1] = row
        else:
            self.rows.append(row)

    def event(self, time_seconds: float, kind: str, message: str) -> None:
        self.events.append(DeploymentEvent(float(time_seconds), kind, message))

    # -- transitions ------------------------------------------------------------------------

    def launch(self, time_seconds: float, revision: str, count: int) -> None:
        fails = self.new_tasks_fail and revision == NEW
        next_state = _FAILED_START if fails and self.failure_stage == "start" else RUNNING
        self.cohorts.append(
            _Cohort(revision, count, PENDING, time_seconds + self.start_seconds, next_state, fails)
        )

    def stop(self, time_seconds: float, cohort: _Cohort, count: int) -> None:
        """Move ``count`` tasks of ``cohort`` to STOPPING (splitting the cohort when partial)."""
        if count < cohort.count:
            cohort.count -= count
            cohort = _Cohort(cohort.revision, count, cohort.state, fails=cohort.fails)
            self.cohorts.append(cohort)
        cohort.state = STOPPING
        cohort.next_time = time_seconds + self.stop_seconds
        cohort.next_state = _STOPPED

    def advance(self, time_seconds: float) -> None:
        """Apply every transition due at ``time_seconds``."""
        for cohort in [c for c in self.cohorts if c.next_time == time_seconds]:
            target = cohort.next_state
            label = f"{cohort.count} {cohort.revision}"
            if target == RUNNING:
                cohort.state = RUNNING
                if cohort.fails:
                    cohort.next_time = time_seconds + self.unhealthy_after_seconds
                    cohort.next_state = _UNHEALTHY
                else:
                    cohort.next_time = time_seconds + self.healthy_after_seconds
                    cohort.next_state = HEALTHY
                self.event(time_seconds, "running", f"{label} task(s) RUNNING")
            elif target == HEALTHY:
                cohort.state, cohort.next_time, cohort.next_state = HEALTHY, None, None
                self.event(time_seconds, "healthy", f"{label} task(s) healthy")
            elif target == _UNHEALTHY:
                self.failures += cohort.count
                self.event(
                    time_seconds,
                    "unhealthy",
                    f"{label} task(s) failed health checks; stopping them "
                    f"(failureCount {self.failures})",
                )
                self.stop(time_seconds, cohort, cohort.count)
            elif target == _FAILED_START:
                self.failures += cohort.count
                self.cohorts.remove(cohort)
                self.event(
                    time_seconds,
                    "failed_to_start",
                    f"{label} task(s) stopped before reaching RUNNING "
                    f"(failureCount {self.failures})",
                )
            elif target == _STOPPED:
                self.cohorts.remove(cohort)
                self.event(time_seconds, "stopped", f"{label} task(s) STOPPED")

    def check_breaker(self, time_seconds: float) -> None:
        if self.breaker is None or self.tripped or self.threshold is None:
            return
        if self.failures < self.threshold:
            return
        self.tripped = True
        self.event(
            time_seconds,
            "circuit_breaker_tripped",
            f"deployment circuit breaker: failureCount {self.failures} reached threshold "
            f"{self.threshold}; rolloutState FAILED, no new tasks are launched",
        )
        if self.breaker.rollback:
            self.primary = OLD
            self.rolled_back = True
            self.event(
                time_seconds,
                "rollback_started",
                "rollback: redeploying the last COMPLETED deployment (old task definition)",
            )

    # -- the scheduler's decision -----------------------------------------------------------

    def decide(self, time_seconds: float) -> tuple[int, int]:
        """Start and stop what the bounds allow now; return (started, stopped-healthy)."""
        other = OLD if self.primary == NEW else NEW
        stopped_healthy = 0
        # Tasks of the losing revision that never became healthy do not protect availability.
        for cohort in [
            c for c in self.cohorts if c.revision == other and c.state in (PENDING, RUNNING)
        ]:
            self.stop(time_seconds, cohort, cohort.count)
        launching = not self.tripped or self.rolled_back
        if launching:
            excess_healthy = self.count(None, HEALTHY) - self.lower
            for cohort in [c for c in self.cohorts if c.revision == other and c.state == HEALTHY]:
                if excess_healthy <= 0:
                    break
                count = min(cohort.count, excess_healthy)
                self.stop(time_seconds, cohort, count)
                excess_healthy -= count
                stopped_healthy += count
        primary_active = self.count(self.primary, PENDING, RUNNING, HEALTHY)
        room = self.upper - self.counted_toward_maximum()
        start = max(0, min(room, self.desired - primary_active)) if launching else 0
        if start:
            self.launch(time_seconds, self.primary, start)
            self.event(time_seconds, "start", f"start {start} {self.primary} task(s)")
        if stopped_healthy:
            self.event(time_seconds, "stop", f"stop {stopped_healthy} {other} task(s)")
        return start, stopped_healthy

    def steady(self) -> bool:
        return all(c.revision == self.primary and c.state == HEALTHY for c in self.cohorts) and (
            self.count(self.primary, HEALTHY) == self.desired
        )


def simulate_deployment(
    desired_count: int,
    minimum_healthy_percent: int = DEFAULT_MINIMUM_HEALTHY_PERCENT,
    maximum_percent: int = DEFAULT_MAXIMUM_PERCENT,
    *,
    start_seconds: float = DEFAULT_START_SECONDS,
    healthy_after_seconds: float = DEFAULT_HEALTHY_AFTER_SECONDS,
    health_check_grace_period_seconds: float = 0.0,
    stop_seconds: float = DEFAULT_STOP_SECONDS,
    new_tasks_fail: bool = False,
    failure_stage: str = "health_check",
    circuit_breaker: CircuitBreaker | Mapping[str, Any] | None = None,
    count_stopping_toward_maximum: bool = True,
    max_seconds: float = 3600.0,
    service_name: str = "service-name",
) -> DeploymentResult:
    """Simulate a rolling deployment from ``desired_count`` healthy old tasks to new ones.

    ``start_seconds``: PENDING -> RUNNING. ``healthy_after_seconds``: RUNNING -> counted healthy
    (40 s without LB or container health check). With ``new_tasks_fail`` new tasks fail their health
    check once ``max(healthy_after_seconds, health_check_grace_period_seconds)`` has passed
    (``failure_stage="start"``: they stop before reaching RUNNING instead). ``circuit_breaker``
    is a :class:`CircuitBreaker` or the API dict ``{"enable": True, "rollback": True}``.
    ``count_stopping_toward_maximum``: the 2023 Developer Guide counts STOPPING tasks toward
    ``maximumPercent`` (the API text names only RUNNING and PENDING).
    Deterministic: no randomness. https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html
    """
    lower, upper = deployment_bounds(desired_count, minimum_healthy_percent, maximum_percent)
    for name, seconds in (
        ("start_seconds", start_seconds),
        ("healthy_after_seconds", healthy_after_seconds),
        ("health_check_grace_period_seconds", health_check_grace_period_seconds),
        ("stop_seconds", stop_seconds),
        ("max_seconds", max_seconds),
    ):
        if seconds < 0:
            raise DeploymentConfigurationError(f"{name} must be 0 or more seconds, got {seconds}.")
    if failure_stage not in ("health_check", "start"):
        raise DeploymentConfigurationError(
            f"failure_stage must be 'health_check' (stage 2: RUNNING, then health checks fail) or "
            f"'start' (stage 1: never reaches RUNNING), got {failure_stage!r}."
        )
    if isinstance(circuit_breaker, Mapping):
        breaker = CircuitBreaker.from_api(circuit_breaker)
    elif circuit_breaker is not None and circuit_breaker.enable:
        breaker = circuit_breaker
    else:
        breaker = None
    run = _Run(
        desired=desired_count,
        lower=lower,
        upper=upper,
        start_seconds=float(start_seconds),
        healthy_after_seconds=float(healthy_after_seconds),
        unhealthy_after_seconds=float(
            max(healthy_after_seconds, health_check_grace_period_seconds)
        ),
        stop_seconds=float(stop_seconds),
        new_tasks_fail=new_tasks_fail,
        failure_stage=failure_stage,
        breaker=breaker,
        threshold=breaker.threshold(desired_count) if breaker else None,
        count_stopping=count_stopping_toward_maximum,
        service_name=service_name,
    )
    if desired_count:
        run.cohorts.append(_Cohort(OLD, desired_count, HEALTHY))
    run.event(
        0.0,
        "deployment_started",
        f"deployment started: desiredCount {desired_count}, keep >= {lower} healthy "
        f"(minimumHealthyPercent {minimum_healthy_percent}, rounded up), <= {upper} "
        f"running or pending (maximumPercent {maximum_percent}, rounded down)",
    )
    started, stopped = run.decide(0.0)
    first = _describe_first_step(started, stopped, lower, upper, service_name)
    run.record(0.0)

    now = 0.0
    rollout_state = "IN_PROGRESS"
    # Each loop handles one instant; the cap guards against zero-duration failure loops.
    for _ in range(1_000_000):
        if run.steady():
            kind = "rollback_completed" if run.rolled_back else "completed"
            rollout_state = "FAILED" if run.rolled_back else "COMPLETED"
            run.event(
                now,
                kind,
                f"{'rollback ' if run.rolled_back else ''}deployment COMPLETED: "
                f"{desired_count} {run.primary} task(s) healthy",
            )
            break
        due = [c.next_time for c in run.cohorts if c.next_time is not None]
        if not due:
            if run.tripped and not run.rolled_back:
                rollout_state = "FAILED"
                run.event(
                    now,
                    "failed",
                    "deployment FAILED without rollback: the scheduler "
                    "launches no new tasks; the service stays as shown",
                )
            else:
                run.event(now, "stalled", UNABLE_TO_STOP_OR_START.format(service=service_name))
            break
        next_time = min(due)
        if next_time > max_seconds:
            run.event(
                max_seconds,
                "timeout",
                f"deployment still IN_PROGRESS after {max_seconds:g} s (end of simulation)",
            )
            now = max_seconds
            break
        now = next_time
        run.advance(now)
        run.check_breaker(now)
        run.decide(now)
        run.record(now)
    else:  # pragma: no cover - only with zero durations and endless failures
        raise DeploymentConfigurationError(
            "The simulation did not settle: with new_tasks_fail and zero start/health/stop "
            "seconds, failing tasks are replaced forever in zero time. Give them a duration."
        )
    if run.tripped and rollout_state == "IN_PROGRESS":
        rollout_state = "FAILED"

    columns = np.array(run.rows, dtype=float).T
    counts = [column.astype(np.int64) for column in columns[1:]]
    return DeploymentResult(
        desired_count=desired_count,
        minimum_healthy_percent=minimum_healthy_percent,
        maximum_percent=maximum_percent,
        lower_bound=lower,
        upper_bound=upper,
        failure_threshold=run.threshold,
        times_seconds=columns[0],
        old_running=counts[0],
        new_running=counts[1],
        old_pending=counts[2],
        new_pending=counts[3],
        old_healthy=counts[4],
        new_healthy=counts[5],
        stopping=counts[6],
        counted_toward_maximum=counts[7],
        events=run.events,
        rollout_state=rollout_state,
        failure_count=run.failures,
        rolled_back=run.rolled_back,
        finished_seconds=float(now),
        _first_step=first,
    )


def _describe_first_step(
    started: int, stopped: int, lower: int, upper: int, service_name: str
) -> FirstStep:
    if started or stopped:
        description = (
            f"start {started} new, stop {stopped} old "
            f"(keep >= {lower} healthy, <= {upper} running or pending)"
        )
    else:
        description = UNABLE_TO_STOP_OR_START.format(service=service_name)
    return FirstStep(started, stopped, lower, upper, description)


def from_service(service: Mapping[str, Any], **options: Any) -> DeploymentResult:
    """Simulate the next deployment of a ``describe_services()["services"][0]`` dict.

    Reads ``desiredCount``, ``deploymentConfiguration`` (``minimumHealthyPercent``,
    ``maximumPercent``, ``deploymentCircuitBreaker``: ``enable``, ``rollback``, ...),
    ``healthCheckGracePeriodSeconds`` and ``serviceName``; missing keys take the REPLICA defaults
    (100 / 200, no breaker). ``options`` are passed to :func:`simulate_deployment` and win over the
    service. Note: moto's ``create_service`` drops ``deploymentConfiguration``; ``update_service``
    keeps it.
    """
    strategy = service.get("schedulingStrategy", "REPLICA")
    controller = (service.get("deploymentController") or {}).get("type", "ECS")
    if strategy != "REPLICA":
        raise DeploymentConfigurationError(
            f"This simulator models REPLICA services; {service.get('serviceName', 'the service')} "
            f"uses {strategy}. DAEMON services run one task per instance (maximumPercent 100)."
        )
    if controller != "ECS":
        raise DeploymentConfigurationError(
            f"Only the rolling update (deploymentController type ECS) is modelled; this service "
            f"uses {controller}. Blue/green (CODE_DEPLOY) shifts traffic between task sets instead."
        )
    if "desiredCount" not in service:
        raise DeploymentConfigurationError(
            "The service dict has no desiredCount; pass describe_services()['services'][0]."
        )
    config = service.get("deploymentConfiguration") or {}
    arguments: dict[str, Any] = {
        "desired_count": int(service["desiredCount"]),
        "minimum_healthy_percent": int(
            config.get("minimumHealthyPercent", DEFAULT_MINIMUM_HEALTHY_PERCENT)
        ),
        "maximum_percent": int(config.get("maximumPercent", DEFAULT_MAXIMUM_PERCENT)),
        "circuit_breaker": CircuitBreaker.from_api(config.get("deploymentCircuitBreaker")),
        "health_check_grace_period_seconds": float(
            service.get("healthCheckGracePeriodSeconds") or 0
        ),
        "service_name": service.get("serviceName", "service-name"),
    }
    arguments.update(options)
    return simulate_deployment(**arguments)


def _check_counts(desired_count: int, minimum_healthy_percent: int, maximum_percent: int) -> None:
    for name, value in (
        ("desiredCount", desired_count),
        ("minimumHealthyPercent", minimum_healthy_percent),
        ("maximumPercent", maximum_percent),
    ):
        if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
            raise DeploymentConfigurationError(
                f"{name} must be a whole number 0 or more (the API takes an Integer), got "
                f"{value!r}."
            )


# --------------------------------------------------------------------------------------------
# Plot
# --------------------------------------------------------------------------------------------

_ANNOTATED = {
    "circuit_breaker_tripped": "circuit breaker trips",
    "rollback_started": "rollback starts",
    "completed": "COMPLETED",
    "rollback_completed": "rollback COMPLETED",
    "stalled": "stalled: cannot stop or start",
    "failed": "FAILED",
    "timeout": "still IN_PROGRESS",
}


def plot_deployment(result: DeploymentResult, *, title: str | None = None) -> Figure:
    """Old / new / total tasks over time, the allowed band between the two bounds, key events."""
    from ecs_workbook import plots

    fig, ax = plots.new_figure(figsize=(9.0, 4.2))
    finished = max(result.finished_seconds, float(result.times_seconds[-1]))
    end = finished + max(10.0, 0.08 * finished)
    times = np.append(result.times_seconds, end)
    lower, upper = result.lower_bound, result.upper_bound
    ax.axhspan(
        lower,
        max(upper, lower),
        color=plots.PALETTE[2],
        alpha=0.12,
        label=f"allowed: healthy >= {lower}\n(min {result.minimum_healthy_percent}%, "
        f"rounded up),\nrunning+pending <= {upper}\n(max {result.maximum_percent}%, "
        "rounded down)",
    )
    ax.axhline(lower, color=plots.PALETTE[2], linestyle=":", linewidth=1)
    ax.axhline(upper, color=plots.PALETTE[2], linestyle=":", linewidth=1)
    lines = (  # (counts, colour, line width, line style, label)
        (result.old_running, 0, 2.6, "-", "old revision RUNNING"),
        (result.new_running, 1, 2.6, "-", "new revision RUNNING"),
        (
            result.counted_toward_maximum,
            7,
            1.0,
            "-",
            "counted toward maximum\n(pending+running+stopping)",
        ),
        (result.healthy, 3, 1.2, "--", "healthy (counted\ntoward minimum)"),
    )
    for counts, colour, linewidth, linestyle, label in lines:
        plots.step_line(
            ax,
            times,
            counts,
            color=plots.PALETTE[colour],
            linewidth=linewidth,
            linestyle=linestyle,
            label=label,
        )
    top = max(upper, int(result.counted_toward_maximum.max(initial=0)), 1)
    annotated = [e for e in result.events if e.kind in _ANNOTATED]
    for index, event in enumerate(annotated):
        ax.axvline(event.time_seconds, color=plots.PALETTE[4], linewidth=1, alpha=0.8)
        ax.annotate(
            f"{_ANNOTATED[event.kind]} ({event.time_seconds:g} s)",
            xy=(event.time_seconds, top * (1.34 - 0.08 * (index % 3))),
            xytext=(-3, 0),
            textcoords="offset points",
            ha="right",
            va="top",
            fontsize=8,
            color=plots.PALETTE[4],
        )
    breaker = (
        f", circuit breaker threshold {result.failure_threshold}"
        if result.failure_threshold is not None
        else ""
    )
    ax.set_title(
        title
        or f"Rolling deployment of {result.desired_count} task(s): {result.rollout_state}{breaker}"
    )
    ax.set_xlabel("time since the deployment started (s)")
    ax.set_ylabel("tasks (count)")
    ax.set_xlim(0, end)
    ax.set_ylim(0, top * 1.38)
    plots.legend_outside(ax)
    return fig


def deployment_explorer(
    desired_count: int = 4,
    minimum_healthy_percent: int = 50,
    maximum_percent: int = 200,
    new_tasks_fail: int = 0,
    rollback: int = 1,
) -> Figure:
    """Slider-friendly wrapper: ints only (``new_tasks_fail`` / ``rollback`` as 0 or 1)."""
    result = simulate_deployment(
        desired_count,
        minimum_healthy_percent,
        maximum_percent,
        new_tasks_fail=bool(new_tasks_fail),
        circuit_breaker=CircuitBreaker(rollback=bool(rollback)),
    )
    return plot_deployment(result)


def interactive_deployment() -> Any:
    """Sliders for desiredCount, minimumHealthyPercent, maximumPercent and a failing rollout."""
    return _explore.slider_form(
        deployment_explorer,
        desired_count=(1, 40, 1),
        minimum_healthy_percent=(0, 100, 5),
        maximum_percent=(100, 200, 5),
        new_tasks_fail=(0, 1, 1),
        rollback=(0, 1, 1),
    )
