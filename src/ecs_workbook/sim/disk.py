"""Container-instance disk: where images, container layers and logs land, and when writes fail.

Two layouts of the ECS-optimized AMI:

* ``"al1-devicemapper"`` (Amazon Linux AMI 2015.09.d and later, deprecated 2021): an 8 GiB root
  ``/dev/xvda`` (OS, Docker volumes/bind mounts, container logs) plus a 22 GiB ``/dev/xvdcz`` that
  Docker uses as a devicemapper LVM thin pool (21.75 GiB of data) for images and container layers.
  Every container root filesystem is a thin device of ``dm.basesize`` (10 GiB), so one container's
  writes fail at 10 GiB even when the pool has room; new devices (pulls, container creation) fail
  once the pool has less than ``dm.min_free_space`` (10 %) free.
* ``"overlay2"`` (Amazon Linux 2 / AL2023): one 30 GiB root volume shared by everything.

The ECS agent's automated cleanup removes a stopped task's containers after
``ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION`` (3h) and, every ``ECS_IMAGE_CLEANUP_INTERVAL`` (30m),
deletes up to ``ECS_NUM_IMAGES_DELETE_PER_CYCLE`` (5) images that no container references and that
were pulled more than ``ECS_IMAGE_MINIMUM_CLEANUP_AGE`` (1h) ago, least recently used first.

https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-ami-storage-config.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/automated_image_cleanup.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html

The model steps in fixed ticks (60 s by default); it is deterministic (the only randomness, the
optional cleanup jitter, is seeded). Not modelled: DOCKER_TMPDIR pull scratch space on the root
volume, thin-pool metadata space, filesystem overhead, log rotation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from ecs_workbook.sim import _explore

if TYPE_CHECKING:
    from matplotlib.figure import Figure

AMI_STORAGE_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-ami-storage-config.html"
)
IMAGE_CLEANUP_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/automated_image_cleanup.html"
)
FARGATE_STORAGE_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html"
)
BOOTSTRAP_DOC = (
    "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html"
)

# Older ECS-optimized Amazon Linux AMI (2015.09.d and later).
AL1_ROOT_GIB = 8.0
AL1_DOCKER_VOLUME_GIB = 22.0
#: docker-pool LV data size on the default 22 GiB volume (lvs example in the AMI storage page).
AL1_THIN_POOL_DATA_GIB = 21.75
#: devicemapper ``dm.basesize`` default: each container/image root filesystem is a 10 GiB device.
DM_BASESIZE_GIB = 10.0
#: devicemapper ``dm.min_free_space`` default: new thin devices need 10 % of the pool free.
DM_MIN_FREE_SPACE_FRACTION = 0.10
# Amazon Linux 2 / AL2023 ECS-optimized AMI.
OVERLAY2_ROOT_GIB = 30.0
#: Space the operating system itself takes on the root volume: illustrative, check yours with df -h.
ILLUSTRATIVE_OS_GIB = 1.5

HOUR_SECONDS = 3600.0
COMPONENTS = ("os", "images", "container_layers", "logs", "bind_mounts")
PULL_BEHAVIORS = ("default", "always", "once", "prefer-cached")

# Failure reasons.
VOLUME_FULL = "volume_full"
CONTAINER_BASE_SIZE = "container_base_size"
THIN_POOL_MIN_FREE = "thin_pool_min_free"


class StorageConfigurationError(ValueError):
    """A storage input ECS/Docker would reject or the model cannot represent, said for the learner."""


# --------------------------------------------------------------------------------------------
# Agent cleanup configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentCleanupConfig:
    """The ECS agent's automated task and image cleanup settings (``/etc/ecs/ecs.config``).

    Defaults are the agent's Linux defaults. The agent ignores (keeps the default for) a cleanup
    interval under 10 minutes, a task-cleanup wait under 1 second and a per-cycle count under 1;
    :meth:`effective` applies those rules. ``prefer-cached`` pull behaviour turns image cleanup off
    (agent/engine/docker_image_manager.go, StartImageCleanupProcess).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/automated_image_cleanup.html
    """

    task_cleanup_wait_seconds: float = 3 * HOUR_SECONDS  # ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION
    task_cleanup_wait_jitter_seconds: float = 0.0  # ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER
    image_cleanup_disabled: bool = False  # ECS_DISABLE_IMAGE_CLEANUP
    image_cleanup_interval_seconds: float = 30 * 60.0  # ECS_IMAGE_CLEANUP_INTERVAL
    image_minimum_cleanup_age_seconds: float = HOUR_SECONDS  # ECS_IMAGE_MINIMUM_CLEANUP_AGE
    num_images_delete_per_cycle: int = 5  # ECS_NUM_IMAGES_DELETE_PER_CYCLE
    image_pull_behavior: str = "default"  # ECS_IMAGE_PULL_BEHAVIOR
    seed: int = 0  # seeds the jitter only

    def __post_init__(self) -> None:
        if self.image_pull_behavior not in PULL_BEHAVIORS:
            raise StorageConfigurationError(
                f"ECS_IMAGE_PULL_BEHAVIOR {self.image_pull_behavior!r} is not one the agent knows; "
                f"expected one of {', '.join(PULL_BEHAVIORS)} (the agent falls back to 'default')."
            )

    @classmethod
    def none(cls) -> AgentCleanupConfig:
        """No automated cleanup at all: containers and images stay until removed by hand."""
        return cls(task_cleanup_wait_seconds=math.inf, image_cleanup_disabled=True)

    @property
    def removes_containers(self) -> bool:
        return math.isfinite(self.task_cleanup_wait_seconds)

    @property
    def removes_images(self) -> bool:
        return not self.image_cleanup_disabled and self.image_pull_behavior != "prefer-cached"

    def effective(self) -> AgentCleanupConfig:
        """The values the agent really uses, after its 'value is ignored' rules."""
        defaults = AgentCleanupConfig()
        changes: dict[str, Any] = {}
        if self.image_cleanup_interval_seconds < 10 * 60:
            changes["image_cleanup_interval_seconds"] = defaults.image_cleanup_interval_seconds
        if self.task_cleanup_wait_seconds < 1:
            changes["task_cleanup_wait_seconds"] = defaults.task_cleanup_wait_seconds
        if self.num_images_delete_per_cycle < 1:
            changes["num_images_delete_per_cycle"] = defaults.num_images_delete_per_cycle
        return replace(self, **changes) if changes else self

    @classmethod
    def from_ecs_config(cls, config: str | Mapping[str, str]) -> AgentCleanupConfig:
        """From ``ecs.config`` text (``KEY=value`` lines) or a dict; Go durations like ``3h``."""
        if isinstance(config, str):
            pairs = dict(
                line.split("=", 1)
                for line in config.splitlines()
                if "=" in line and not line.lstrip().startswith("#")
            )
        else:
            pairs = dict(config)
        pairs = {key.strip(): value.strip() for key, value in pairs.items()}
        values: dict[str, Any] = {}
        durations = {
            "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION": "task_cleanup_wait_seconds",
            "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER": "task_cleanup_wait_jitter_seconds",
            "ECS_IMAGE_CLEANUP_INTERVAL": "image_cleanup_interval_seconds",
            "ECS_IMAGE_MINIMUM_CLEANUP_AGE": "image_minimum_cleanup_age_seconds",
        }
        for key, name in durations.items():
            if pairs.get(key):
                values[name] = go_duration_seconds(pairs[key])
        if pairs.get("ECS_DISABLE_IMAGE_CLEANUP"):
            values["image_cleanup_disabled"] = pairs["ECS_DISABLE_IMAGE_CLEANUP"].lower() == "true"
        if pairs.get("ECS_NUM_IMAGES_DELETE_PER_CYCLE"):
            values["num_images_delete_per_cycle"] = int(pairs["ECS_NUM_IMAGES_DELETE_PER_CYCLE"])
        if pairs.get("ECS_IMAGE_PULL_BEHAVIOR"):
            behavior = pairs["ECS_IMAGE_PULL_BEHAVIOR"]
            values["image_pull_behavior"] = behavior if behavior in PULL_BEHAVIORS else "default"
        return cls(**values)

    def as_ecs_config(self) -> str:
        """The settings as ``/etc/ecs/ecs.config`` lines."""
        lines = [
            f"ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION={_go_duration(self.task_cleanup_wait_seconds)}",
            f"ECS_DISABLE_IMAGE_CLEANUP={str(self.image_cleanup_disabled).lower()}",
            f"ECS_IMAGE_CLEANUP_INTERVAL={_go_duration(self.image_cleanup_interval_seconds)}",
            f"ECS_IMAGE_MINIMUM_CLEANUP_AGE={_go_duration(self.image_minimum_cleanup_age_seconds)}",
            f"ECS_NUM_IMAGES_DELETE_PER_CYCLE={self.num_images_delete_per_cycle}",
            f"ECS_IMAGE_PULL_BEHAVIOR={self.image_pull_behavior}",
        ]
        if self.task_cleanup_wait_jitter_seconds:
            lines.insert(
                1,
                "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION_JITTER="
                f"{_go_duration(self.task_cleanup_wait_jitter_seconds)}",
            )
        return "\n".join(lines)


_GO_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s)")


def go_duration_seconds(text: str) -> float:
    """Seconds in a Go duration string as the agent reads it: ``3h``, ``30m``, ``1h30m``, ``90s``."""
    text = text.strip()
    parts = _GO_DURATION.findall(text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        raise StorageConfigurationError(
            f"{text!r} is not a Go duration; the agent expects values like '3h', '30m', '1h30m'."
        )
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(number) * scale[unit] for number, unit in parts)


def _go_duration(seconds: float) -> str:
    if not math.isfinite(seconds):
        return "87600h"  # ten years: the closest ecs.config gets to "never"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    text = (
        (f"{hours}h" if hours else "")
        + (f"{minutes}m" if minutes else "")
        + (f"{secs}s" if secs else "")
    )
    return text or "0s"


# --------------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Volume:
    """One block device of a container instance and what lands on it."""

    device: str
    role: str
    size_gib: float
    capacity_gib: float
    holds: tuple[str, ...]


@dataclass(frozen=True)
class DiskLayout:
    """A container instance's storage layout: its volumes and the Docker storage driver."""

    name: str
    storage_driver: str
    volumes: tuple[Volume, ...]
    os_gib: float
    base_size_gib: float | None = None
    min_free_space_fraction: float = 0.0

    def volume_for(self, component: str) -> Volume:
        """The volume that holds ``component`` (one of :data:`COMPONENTS`)."""
        for volume in self.volumes:
            if component in volume.holds:
                return volume
        raise StorageConfigurationError(f"No volume in layout {self.name} holds {component}.")


def disk_layout(
    name: str = "overlay2",
    *,
    root_gib: float | None = None,
    docker_volume_gib: float | None = None,
    base_size_gib: float = DM_BASESIZE_GIB,
    os_gib: float = ILLUSTRATIVE_OS_GIB,
) -> DiskLayout:
    """``"al1-devicemapper"`` (8 GiB root + 22 GiB thin pool) or ``"overlay2"`` (30 GiB root).

    Volumes can be made bigger at launch but not smaller than the AMI default.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-ami-storage-config.html
    """
    if name == "al1-devicemapper":
        root = AL1_ROOT_GIB if root_gib is None else root_gib
        docker = AL1_DOCKER_VOLUME_GIB if docker_volume_gib is None else docker_volume_gib
        _check_not_smaller("root volume /dev/xvda", root, AL1_ROOT_GIB)
        _check_not_smaller("Docker volume /dev/xvdcz", docker, AL1_DOCKER_VOLUME_GIB)
        if base_size_gib < DM_BASESIZE_GIB:
            raise StorageConfigurationError(
                f"dm.basesize can only grow from its {DM_BASESIZE_GIB:g}G default, never shrink; "
                f"got {base_size_gib:g}G."
            )
        # The docker-pool LV keeps the documented 21.75/22 share of the volume group (derived).
        pool = docker * AL1_THIN_POOL_DATA_GIB / AL1_DOCKER_VOLUME_GIB
        return DiskLayout(
            name=name,
            storage_driver="devicemapper",
            volumes=(
                Volume(
                    "/dev/xvda",
                    "root (OS, volumes, logs)",
                    root,
                    root,
                    ("os", "logs", "bind_mounts"),
                ),
                Volume(
                    "/dev/xvdcz",
                    "Docker thin pool (images, container layers)",
                    docker,
                    pool,
                    ("images", "container_layers"),
                ),
            ),
            os_gib=os_gib,
            base_size_gib=base_size_gib,
            min_free_space_fraction=DM_MIN_FREE_SPACE_FRACTION,
        )
    if name == "overlay2":
        root = OVERLAY2_ROOT_GIB if root_gib is None else root_gib
        _check_not_smaller("root volume /dev/xvda", root, OVERLAY2_ROOT_GIB)
        if docker_volume_gib is not None:
            raise StorageConfigurationError(
                "The overlay2 layout (Amazon Linux 2 / AL2023 ECS AMI) has one root volume; "
                "there is no separate Docker volume. Set root_gib instead."
            )
        return DiskLayout(
            name=name,
            storage_driver="overlay2",
            volumes=(Volume("/dev/xvda", "root (everything)", root, root, COMPONENTS),),
            os_gib=os_gib,
        )
    raise StorageConfigurationError(
        f"Unknown layout {name!r}; expected 'al1-devicemapper' (older ECS-optimized AMI) or "
        "'overlay2' (Amazon Linux 2 / AL2023 ECS-optimized AMI)."
    )


def _check_not_smaller(what: str, size_gib: float, default_gib: float) -> None:
    if size_gib < default_gib:
        raise StorageConfigurationError(
            f"The {what} can be enlarged at launch but not made smaller than its "
            f"{default_gib:g} GiB default; got {size_gib:g} GiB."
        )


# --------------------------------------------------------------------------------------------
# Workloads
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskRun:
    """One single-container task on the instance and what it writes while running.

    ``writes_gib_per_hour`` goes to the container's writable layer (devicemapper: inside its
    ``dm.basesize`` device), ``logs_gib_per_hour`` to its json-file log, ``bind_mounts_gib_per_hour``
    to a host path (root volume; the agent never removes it). ``stop_hours=None``: runs to the end.
    """

    name: str
    image: str
    start_hours: float
    stop_hours: float | None = None
    writes_gib_per_hour: float = 0.0
    logs_gib_per_hour: float = 0.0
    bind_mounts_gib_per_hour: float = 0.0


@dataclass(frozen=True)
class Workload:
    """Images (GiB each, as extracted on disk) and the tasks that use them."""

    images_gib: Mapping[str, float]
    tasks: tuple[TaskRun, ...]
    description: str = ""

    def __post_init__(self) -> None:
        for task in self.tasks:
            if task.image not in self.images_gib:
                raise StorageConfigurationError(
                    f"Task {task.name} uses image {task.image!r}, which is not in images_gib "
                    f"({', '.join(self.images_gib) or 'empty'}). Add its size in GiB."
                )
            if task.stop_hours is not None and task.stop_hours < task.start_hours:
                raise StorageConfigurationError(
                    f"Task {task.name} stops ({task.stop_hours} h) before it starts "
                    f"({task.start_hours} h)."
                )


def rolling_releases_workload(
    hours: float = 48.0,
    *,
    release_every_hours: float = 2.0,
    image_gib: float = 1.5,
    tasks_per_release: int = 2,
    writes_gib_per_hour: float = 0.05,
    logs_gib_per_hour: float = 0.02,
) -> Workload:
    """A service redeployed every ``release_every_hours`` with a new image tag each time.

    Each release starts ``tasks_per_release`` tasks of ``app:vN`` and stops the previous release's
    tasks at the same moment: without cleanup, stopped containers and old images pile up.
    Sizes and rates are illustrative workload inputs, not ECS numbers.
    """
    if release_every_hours <= 0:
        raise StorageConfigurationError("release_every_hours must be more than 0.")
    releases = int(math.floor(hours / release_every_hours + 1e-9))
    images: dict[str, float] = {}
    tasks: list[TaskRun] = []
    for release in range(releases + 1):
        start = release * release_every_hours
        if start >= hours and release:
            break
        image = f"app:v{release + 1}"
        images[image] = image_gib
        stop = start + release_every_hours if start + release_every_hours < hours else None
        for copy in range(tasks_per_release):
            tasks.append(
                TaskRun(
                    f"{image}#{copy + 1}",
                    image,
                    start,
                    stop,
                    writes_gib_per_hour,
                    logs_gib_per_hour,
                )
            )
    return Workload(
        images,
        tuple(tasks),
        f"new image every {release_every_hours:g} h, {tasks_per_release} task(s) each",
    )


def runaway_writer_workload(
    hours: float = 24.0,
    *,
    image_gib: float = 0.5,
    writes_gib_per_hour: float = 1.0,
    logs_gib_per_hour: float = 0.0,
) -> Workload:
    """One long-running task writing steadily into its container's writable layer."""
    task = TaskRun("writer#1", "writer:1", 0.0, None, writes_gib_per_hour, logs_gib_per_hour)
    return Workload(
        {"writer:1": image_gib},
        (task,),
        f"one container writing {writes_gib_per_hour:g} GiB/h to its writable layer",
    )


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiskEvent:
    """A pull, start, stop, cleanup or failure at ``time_hours``."""

    time_hours: float
    kind: str
    message: str


@dataclass(frozen=True)
class DiskFailure:
    """The first time one task met a write or create failure, and why."""

    time_hours: float
    reason: str
    device: str
    task: str
    message: str


@dataclass(frozen=True)
class DiskResult:
    """Per-volume usage over time, the events and the failures of one simulation."""

    label: str
    layout: DiskLayout
    cleanup: AgentCleanupConfig
    times_hours: np.ndarray
    usage_gib: dict[str, np.ndarray]
    component_gib: dict[str, np.ndarray]
    capacity_gib: dict[str, float]
    events: list[DiskEvent]
    failures: list[DiskFailure]

    @property
    def first_failure(self) -> DiskFailure | None:
        """The earliest failure (ties: the order they happened), or None."""
        return self.failures[0] if self.failures else None

    @property
    def writes_fail_at_hours(self) -> float | None:
        """When the first write or create fails, or None if nothing failed."""
        return self.failures[0].time_hours if self.failures else None

    def peak_gib(self, device: str) -> float:
        """The most ``device`` ever held."""
        return float(self.usage_gib[device].max())

    def events_of(self, kind: str) -> list[DiskEvent]:
        """Events of one kind (``"containers_removed"``, ``"images_removed"``, ...)."""
        return [event for event in self.events if event.kind == kind]


# --------------------------------------------------------------------------------------------
# Simulation
# --------------------------------------------------------------------------------------------


@dataclass
class _Image:
    name: str
    size_gib: float
    pulled_at: float
    last_used_at: float
    references: int = 0


@dataclass
class _Container:
    task: TaskRun
    image_gib: float
    stop_tick: int | None
    writable_gib: float = 0.0
    logs_gib: float = 0.0
    stopped_at: float | None = None
    remove_at: float | None = None
    failed: set[str] = field(default_factory=set)


class _Disk:
    """Used space per component; free space per volume."""

    def __init__(self, layout: DiskLayout) -> None:
        self.layout = layout
        self.used = dict.fromkeys(COMPONENTS, 0.0)
        self.used["os"] = layout.os_gib

    def volume_used(self, volume: Volume) -> float:
        return sum(self.used[component] for component in volume.holds)

    def free(self, component: str) -> float:
        volume = self.layout.volume_for(component)
        return max(0.0, volume.capacity_gib - self.volume_used(volume))


def simulate_disk(
    layout: str | DiskLayout = "overlay2",
    workload: Workload | None = None,
    cleanup: bool | AgentCleanupConfig = True,
    hours: float = 48.0,
    *,
    tick_seconds: float = 60.0,
    label: str | None = None,
) -> DiskResult:
    """Run ``workload`` on ``layout`` for ``hours`` with (or without) the agent's cleanup.

    ``cleanup=True`` uses the agent defaults, ``False`` removes nothing, or pass an
    :class:`AgentCleanupConfig`. Times in the workload are rounded to whole ticks.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/automated_image_cleanup.html
    """
    layout = disk_layout(layout) if isinstance(layout, str) else layout
    workload = workload or rolling_releases_workload(hours)
    if cleanup is True:
        config = AgentCleanupConfig()
    elif cleanup is False:
        config = AgentCleanupConfig.none()
    else:
        config = cleanup.effective()
    if tick_seconds <= 0 or hours <= 0:
        raise StorageConfigurationError("hours and tick_seconds must be more than 0.")
    if layout.os_gib > layout.volume_for("os").capacity_gib:
        raise StorageConfigurationError(
            f"os_gib {layout.os_gib:g} does not fit on the {layout.volume_for('os').size_gib:g} "
            "GiB root volume."
        )
    rng = np.random.default_rng(config.seed)
    disk = _Disk(layout)
    ticks = int(round(hours * HOUR_SECONDS / tick_seconds))
    starts: dict[int, list[TaskRun]] = {}
    for task in workload.tasks:
        starts.setdefault(_tick(task.start_hours, tick_seconds), []).append(task)
    images: dict[str, _Image] = {}
    containers: list[_Container] = []
    events: list[DiskEvent] = []
    failures: list[DiskFailure] = []
    full_volumes: set[str] = set()
    rows: list[list[float]] = []
    cycle_ticks = config.image_cleanup_interval_seconds / tick_seconds

    def event(now: float, kind: str, message: str) -> None:
        events.append(DiskEvent(now / HOUR_SECONDS, kind, message))

    def fail(now: float, reason: str, component: str, task: TaskRun, message: str) -> None:
        device = layout.volume_for(component).device
        failures.append(DiskFailure(now / HOUR_SECONDS, reason, device, task.name, message))
        event(now, "failure", f"{task.name}: {message}")

    def write(now: float, container: _Container, component: str, wanted_gib: float) -> float:
        """Write up to ``wanted_gib`` for one container; record why the rest failed."""
        if wanted_gib <= 0 or component in container.failed:
            return 0.0
        allowed = wanted_gib
        limit_reason = None
        if component == "container_layers" and layout.base_size_gib is not None:
            room = layout.base_size_gib - container.image_gib - container.writable_gib
            if room < allowed:
                allowed, limit_reason = max(0.0, room), CONTAINER_BASE_SIZE
        free = disk.free(component)
        if free < allowed:
            allowed, limit_reason = free, VOLUME_FULL
        disk.used[component] += allowed
        if limit_reason is not None:
            container.failed.add(component)
            volume = layout.volume_for(component)
            if limit_reason == CONTAINER_BASE_SIZE:
                fail(
                    now,
                    CONTAINER_BASE_SIZE,
                    component,
                    container.task,
                    f"no space left on device: the container's root filesystem reached "
                    f"dm.basesize {layout.base_size_gib:g} GiB (image "
                    f"{container.image_gib:g} GiB + {container.writable_gib + allowed:.2f} GiB "
                    f"written) while the thin pool still had {disk.free(component):.2f} GiB "
                    "free",
                )
            else:
                fail(
                    now,
                    VOLUME_FULL,
                    component,
                    container.task,
                    f"no space left on device: {volume.device} ({volume.role}) is full "
                    f"({volume.capacity_gib:g} GiB)",
                )
                if volume.device not in full_volumes:
                    full_volumes.add(volume.device)
                    event(now, "volume_full", f"{volume.device} full")
        return allowed

    def thin_pool_allows_new_device(now: float, task: TaskRun, what: str) -> bool:
        if not layout.min_free_space_fraction:
            return True
        pool = layout.volume_for("images")
        minimum = layout.min_free_space_fraction * pool.capacity_gib
        free = disk.free("images")
        if free >= minimum:
            return True
        fail(
            now,
            THIN_POOL_MIN_FREE,
            "images",
            task,
            f"CannotCreateContainerError ({what}): devmapper: Thin Pool has {free:.2f} GiB free, "
            f"less than the minimum required {minimum:.2f} GiB (dm.min_free_space "
            f"{layout.min_free_space_fraction:.0%}). Create more free space in thin pool.",
        )
        return False

    def start(now: float, task: TaskRun) -> None:
        image = images.get(task.image)
        if image is None:
            size = workload.images_gib[task.image]
            if not thin_pool_allows_new_device(now, task, "image pull"):
                return
            if disk.free("images") < size:
                volume = layout.volume_for("images")
                fail(
                    now,
                    VOLUME_FULL,
                    "images",
                    task,
                    f"CannotPullContainerError: no space left on device: {volume.device} has "
                    f"{disk.free('images'):.2f} GiB free, image {task.image} needs {size:g} GiB",
                )
                return
            disk.used["images"] += size
            image = images[task.image] = _Image(task.image, size, now, now)
            event(now, "image_pulled", f"pulled {task.image} ({size:g} GiB)")
        if not thin_pool_allows_new_device(now, task, "container creation"):
            return
        image.references += 1
        image.last_used_at = now
        stop_tick = None if task.stop_hours is None else _tick(task.stop_hours, tick_seconds)
        containers.append(_Container(task, image.size_gib, stop_tick))
        event(now, "task_started", f"started {task.name}")

    def remove_containers(now: float) -> None:
        due = [c for c in containers if c.remove_at is not None and c.remove_at <= now]
        for container in due:
            disk.used["container_layers"] -= container.writable_gib
            disk.used["logs"] -= container.logs_gib
            images[container.task.image].references -= 1
            containers.remove(container)
        if due:
            names = ", ".join(c.task.name for c in due)
            event(
                now,
                "containers_removed",
                f"agent removed the containers of stopped task(s) {names} "
                f"({_go_duration(config.task_cleanup_wait_seconds)} after they stopped)",
            )

    def clean_images(now: float) -> None:
        candidates = [
            image
            for image in images.values()
            if image.references == 0
            and now - image.pulled_at > config.image_minimum_cleanup_age_seconds
        ]
        candidates.sort(key=lambda image: (image.last_used_at, image.name))
        removed = candidates[: config.num_images_delete_per_cycle]
        for image in removed:
            disk.used["images"] -= image.size_gib
            del images[image.name]
        if removed:
            event(
                now,
                "images_removed",
                f"image cleanup cycle removed {len(removed)} image(s): "
                f"{', '.join(image.name for image in removed)}",
            )

    def record(now: float) -> None:
        rows.append([now / HOUR_SECONDS, *(max(0.0, disk.used[c]) for c in COMPONENTS)])

    record(0.0)
    for tick in range(ticks + 1):
        now = tick * tick_seconds
        if tick:
            for container in containers:
                if container.stopped_at is None:
                    hours_step = tick_seconds / HOUR_SECONDS
                    container.writable_gib += write(
                        now,
                        container,
                        "container_layers",
                        container.task.writes_gib_per_hour * hours_step,
                    )
                    container.logs_gib += write(
                        now, container, "logs", container.task.logs_gib_per_hour * hours_step
                    )
                    write(
                        now,
                        container,
                        "bind_mounts",
                        container.task.bind_mounts_gib_per_hour * hours_step,
                    )
        for container in containers:
            if (
                container.stopped_at is None
                and container.stop_tick is not None
                and container.stop_tick <= tick
            ):
                container.stopped_at = now
                if config.removes_containers:
                    jitter = (
                        rng.uniform(0.0, config.task_cleanup_wait_jitter_seconds)
                        if config.task_cleanup_wait_jitter_seconds
                        else 0.0
                    )
                    container.remove_at = now + config.task_cleanup_wait_seconds + jitter
                event(now, "task_stopped", f"stopped {container.task.name}")
        if config.removes_containers:
            remove_containers(now)
        if config.removes_images and tick and _is_cycle(tick, cycle_ticks):
            clean_images(now)
        for task in starts.get(tick, []):
            start(now, task)
        if tick:
            record(now)

    columns = np.array(rows, dtype=float).T
    component_gib = {name: columns[index + 1] for index, name in enumerate(COMPONENTS)}
    usage = {
        volume.device: sum(component_gib[c] for c in volume.holds) for volume in layout.volumes
    }
    failures.sort(key=lambda failure: failure.time_hours)
    return DiskResult(
        label=label or f"{layout.name}, {_cleanup_label(config)}",
        layout=layout,
        cleanup=config,
        times_hours=columns[0],
        usage_gib=usage,
        component_gib=component_gib,
        capacity_gib={volume.device: volume.capacity_gib for volume in layout.volumes},
        events=events,
        failures=failures,
    )


def _tick(hours: float, tick_seconds: float) -> int:
    return int(math.ceil(hours * HOUR_SECONDS / tick_seconds - 1e-9))


def _is_cycle(tick: int, cycle_ticks: float) -> bool:
    """True on the ticks where the agent's image-cleanup ticker fires (agent start = time 0)."""
    cycle = round(tick / cycle_ticks)
    return cycle >= 1 and abs(cycle * cycle_ticks - tick) < 0.5


def _cleanup_label(config: AgentCleanupConfig) -> str:
    if not config.removes_containers and not config.removes_images:
        return "no cleanup"
    if config == AgentCleanupConfig().effective():
        return "agent cleanup (defaults)"
    return "agent cleanup (custom)"


# --------------------------------------------------------------------------------------------
# Reference data for the notebook
# --------------------------------------------------------------------------------------------


def devicemapper_base_size_change(size_gib: int = 20) -> dict[str, Any]:
    """How to raise devicemapper's per-container limit (``dm.basesize``) on the AL1 ECS AMI.

    Append the storage option to ``/etc/sysconfig/docker`` before Docker starts, from a
    ``#cloud-boothook`` user-data part. The base size can only grow (Docker 1.10+, on daemon restart).
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/bootstrap_container_instance.html
    """
    if size_gib <= DM_BASESIZE_GIB:
        raise StorageConfigurationError(
            f"dm.basesize can only be raised above its {DM_BASESIZE_GIB:g}G default (never shrunk); "
            f"got {size_gib}G. Try 20."
        )
    line = f'OPTIONS="${{OPTIONS}} --storage-opt dm.basesize={size_gib}G"'
    return {
        "setting": "dm.basesize",
        "default": f"{DM_BASESIZE_GIB:g}G",
        "new_value": f"{size_gib}G",
        "file": "/etc/sysconfig/docker",
        "line": line,
        "user_data": (
            "#cloud-boothook\n"
            f"cloud-init-per once docker_options echo '{line}' >> /etc/sysconfig/docker\n"
        ),
        "check": "docker info | grep 'Base Device Size'",
        "notes": [
            "Applies to the devicemapper storage driver (older ECS-optimized Amazon Linux AMI); "
            "overlay2 (Amazon Linux 2 / AL2023) has no per-container base size.",
            "The base size can only grow, never shrink; it takes effect when Docker starts.",
            "The thin pool itself must still have room: grow /dev/xvdcz or add a volume "
            "(vgextend docker /dev/xvdcy; lvextend -L+1024G /dev/docker/docker-pool).",
        ],
        "doc": BOOTSTRAP_DOC,
    }


FARGATE_DEFAULT_EPHEMERAL_GIB = 20
FARGATE_MIN_CONFIGURABLE_EPHEMERAL_GIB = 21
FARGATE_MAX_EPHEMERAL_GIB = 200


def fargate_ephemeral_storage(
    task_definition: Mapping[str, Any] | None = None,
    platform_version: str = "LATEST",
) -> dict[str, Any]:
    """Ephemeral storage a Fargate task gets, from a task definition's ``ephemeralStorage``.

    Platform 1.4.0+ (Linux): 20 GiB by default, ``ephemeralStorage.sizeInGiB`` 21-200; image layers
    count against it. 1.3.0 and earlier: 10 GB for Docker layers + 4 GB for volume mounts.
    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html
    """
    requested = ((task_definition or {}).get("ephemeralStorage") or {}).get("sizeInGiB")
    if platform_version not in ("LATEST", "1.4.0") and _version_tuple(platform_version) < (1, 4):
        if requested is not None:
            raise StorageConfigurationError(
                f"ephemeralStorage needs Fargate platform version 1.4.0 or later; "
                f"{platform_version} gives 10 GB of layer storage and 4 GB for volumes."
            )
        return {
            "platform_version": platform_version,
            "docker_layer_storage_gb": 10,
            "volume_storage_gb": 4,
            "configurable": False,
            "doc": FARGATE_STORAGE_DOC,
        }
    if requested is not None and not (
        FARGATE_MIN_CONFIGURABLE_EPHEMERAL_GIB <= int(requested) <= FARGATE_MAX_EPHEMERAL_GIB
    ):
        raise StorageConfigurationError(
            f"ephemeralStorage.sizeInGiB must be between {FARGATE_MIN_CONFIGURABLE_EPHEMERAL_GIB} "
            f"and {FARGATE_MAX_EPHEMERAL_GIB} GiB; got {requested}. Leave it out for the "
            f"{FARGATE_DEFAULT_EPHEMERAL_GIB} GiB default."
        )
    return {
        "platform_version": platform_version,
        "size_gib": int(requested) if requested is not None else FARGATE_DEFAULT_EPHEMERAL_GIB,
        "default_gib": FARGATE_DEFAULT_EPHEMERAL_GIB,
        "configurable_range_gib": (
            FARGATE_MIN_CONFIGURABLE_EPHEMERAL_GIB,
            FARGATE_MAX_EPHEMERAL_GIB,
        ),
        "configurable": True,
        "counts_against_it": "image layers, both compressed and extracted",
        "doc": FARGATE_STORAGE_DOC,
    }


def _version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError as error:
        raise StorageConfigurationError(
            f"Platform version {version!r} is not like '1.4.0' or 'LATEST'."
        ) from error


# --------------------------------------------------------------------------------------------
# Plot
# --------------------------------------------------------------------------------------------

_REASON_LABEL = {
    VOLUME_FULL: "volume full",
    CONTAINER_BASE_SIZE: "container hit dm.basesize",
    THIN_POOL_MIN_FREE: "thin pool < dm.min_free_space",
}


def plot_disk(*results: DiskResult | Sequence[DiskResult], title: str | None = None) -> Figure:
    """Usage per volume over time for one or more results, capacities, first failures marked.

    ``plot_disk(with_cleanup, without_cleanup)`` or ``plot_disk([r1, r2, r3])``. One panel per
    volume (per layout); each result is one line in the panels of its layout.
    """
    from ecs_workbook import plots

    flat: list[DiskResult] = []
    for item in results:
        flat.extend(item if isinstance(item, Sequence) else [item])
    if not flat:
        raise StorageConfigurationError("plot_disk needs at least one DiskResult.")
    panels: list[tuple[str, Volume]] = []
    for result in flat:
        for volume in result.layout.volumes:
            key = (result.layout.name, volume)
            if key not in panels:
                panels.append(key)
    fig, axes = plots.new_figure(
        len(panels), 1, sharex=True, figsize=(9.0, 1.2 + 2.6 * len(panels))
    )
    axes = list(axes) if len(panels) > 1 else [axes]
    series_colours = plots.PALETTE[:7]
    colours = {id(r): series_colours[i % len(series_colours)] for i, r in enumerate(flat)}
    for ax, (layout_name, volume) in zip(axes, panels, strict=True):
        for result in flat:
            if result.layout.name != layout_name or volume not in result.layout.volumes:
                continue
            colour = colours[id(result)]
            usage = result.usage_gib[volume.device]
            ax.plot(result.times_hours, usage, color=colour, label=result.label)
            failure = next((f for f in result.failures if f.device == volume.device), None)
            if failure is not None:
                index = int(np.searchsorted(result.times_hours, failure.time_hours))
                index = min(index, len(usage) - 1)
                ax.plot(
                    [failure.time_hours],
                    [usage[index]],
                    marker="X",
                    markersize=9,
                    color=colour,
                    linestyle="none",
                    label="_failure",
                )
                ax.annotate(
                    f"{_REASON_LABEL[failure.reason]} at {failure.time_hours:.1f} h",
                    xy=(failure.time_hours, usage[index]),
                    xytext=(6, -14),
                    textcoords="offset points",
                    fontsize=8,
                    color=colour,
                )
        ax.axhline(
            volume.capacity_gib,
            color=plots.PALETTE[7],
            linestyle="--",
            linewidth=1,
            label=f"capacity {volume.capacity_gib:.2f} GiB",
        )
        layout = next(r.layout for r in flat if r.layout.name == layout_name)
        if layout.min_free_space_fraction and "images" in volume.holds:
            limit = volume.capacity_gib * (1 - layout.min_free_space_fraction)
            ax.axhline(
                limit,
                color=plots.PALETTE[7],
                linestyle=":",
                linewidth=1,
                label=f"pulls/creates fail above {limit:.2f} GiB\n"
                f"(dm.min_free_space {layout.min_free_space_fraction:.0%})",
            )
        ax.set_title(f"{layout_name}: {volume.device}, {volume.role}", fontsize=10)
        ax.set_ylabel("used (GiB)")
        ax.set_ylim(0, volume.capacity_gib * 1.15)
        plots.legend_outside(ax)
    axes[-1].set_xlabel("time (hours)")
    fig.suptitle(title or "Container-instance disk usage (X = first failed write or create)")
    return fig


def disk_explorer(
    release_every_hours: float = 2.0,
    image_gib: float = 1.5,
    writes_gib_per_hour: float = 0.05,
    hours: int = 48,
    devicemapper: int = 0,
) -> Figure:
    """Slider-friendly wrapper: the release workload with and without agent cleanup."""
    layout = "al1-devicemapper" if devicemapper else "overlay2"
    workload = rolling_releases_workload(
        hours,
        release_every_hours=release_every_hours,
        image_gib=image_gib,
        writes_gib_per_hour=writes_gib_per_hour,
    )
    with_cleanup = simulate_disk(layout, workload, True, hours)
    without = simulate_disk(layout, workload, False, hours)
    return plot_disk(with_cleanup, without)


def interactive_disk() -> Any:
    """Sliders for release rate, image size, write rate, duration and the AL1 layout."""
    return _explore.slider_form(
        disk_explorer,
        release_every_hours=(0.5, 8.0, 0.5),
        image_gib=(0.1, 5.0, 0.1),
        writes_gib_per_hour=(0.0, 2.0, 0.05),
        hours=(6, 96, 6),
        devicemapper=(0, 1, 1),
    )
