"""Checks of lab 09, disk and storage.

Every check reads the moto state through describe calls (never changes it) and the learner's
answers, and computes what is right with the kit's own models (``sim.disk``, ``taskdef``), so the
expected values follow the documented ECS, Docker and agent rules.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-ami-storage-config.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/automated_image_cleanup.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specify-volume-config.html
"""

from __future__ import annotations

import math
from typing import Any

from ecs_workbook import taskdef
from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.grading.checks._common import latest_task_definition
from ecs_workbook.sim import disk

AL1 = "al1-devicemapper"
#: Exercise 1: answer variable -> the simulator's component that kind of write lands in.
WRITES = {
    "writable_layer_device": "container_layers",
    "docker_volume_device": "bind_mounts",
    "container_logs_device": "logs",
}
#: Exercise 2: the writer the lab simulates.
WRITER_HOURS, WRITER_IMAGE_GIB, WRITER_GIB_PER_HOUR = 30, 1.5, 0.5
#: Exercise 3: the busy release workload and the team's constraint.
RELEASE_HOURS, RELEASE_EVERY_HOURS, RELEASE_IMAGE_GIB = 24, 0.5, 3.0
MINIMUM_CONTAINER_KEEP_SECONDS = 3600.0
#: Exercise 4: scratch space and image size of the ETL task.
ETL_FAMILY, ETL_SCRATCH_GIB, ETL_IMAGE_GIB = "etl-fargate", 120, 5
#: Exercise 5: the backup task's Docker volume.
BACKUP_FAMILY, BACKUP_VOLUME, BACKUP_CONTAINER, BACKUP_PATH = (
    "backup",
    "backups",
    "backup",
    "/var/backups",
)
HOURS_TOLERANCE = 0.1


def _check_arn(ctx: CheckContext, name: str, definition: dict[str, Any], family: str) -> None:
    arn = ctx.answer(name, str, example=f"'arn:aws:ecs:...:task-definition/{family}:1'")
    hint = "register returns the task definition: keep its ['taskDefinitionArn']"
    if arn.startswith("arn:") and arn != definition["taskDefinitionArn"]:
        hint = "that is not the newest revision: keep the ARN of the one you registered last"
    ctx.expect(
        1,
        arn == definition["taskDefinitionArn"],
        f"{name} to be the ARN of the newest '{family}' revision",
        repr(arn),
        hint,
    )


# -- ex1 -------------------------------------------------------------------------------------------
def check_which_disk(ctx: CheckContext) -> None:
    layout = disk.disk_layout(AL1)
    for name, component in WRITES.items():
        expected = layout.volume_for(component).device
        answer = ctx.answer(name, str, example='"/dev/xvda"')
        hint = (
            "images and container layers live in the thin pool; volumes and logs on the root volume"
        )
        if name == "writable_layer_device" and answer == "/dev/xvda":
            hint = (
                "a container's own filesystem is its writable layer, which devicemapper keeps in "
                "the thin pool next to the images (agent issue #312)"
            )
        ctx.expect(1, answer == expected, f"{name} == {expected!r}", repr(answer), hint)


# -- ex2 -------------------------------------------------------------------------------------------
def _writer_fails_at(base_size_gib: float) -> float | None:
    writer = disk.runaway_writer_workload(
        WRITER_HOURS, image_gib=WRITER_IMAGE_GIB, writes_gib_per_hour=WRITER_GIB_PER_HOUR
    )
    layout = disk.disk_layout(AL1, base_size_gib=base_size_gib)
    return disk.simulate_disk(layout, writer, True, WRITER_HOURS).writes_fail_at_hours


def check_base_size(ctx: CheckContext) -> None:
    fails_at = _writer_fails_at(disk.DM_BASESIZE_GIB)
    hours = ctx.answer("hours_until_write_fails", (int, float), example="12.5")
    hint = "read the time of the X in the thin-pool panel"
    if fails_at is not None and abs(hours - disk.DM_BASESIZE_GIB / WRITER_GIB_PER_HOUR) < 0.01:
        hint = "the image takes part of the 10 GiB base device too"
    ctx.expect(
        2,
        fails_at is not None and abs(hours - fails_at) <= HOURS_TOLERANCE,
        f"hours_until_write_fails ≈ {fails_at if fails_at is None else round(fails_at, 1)}",
        str(hours),
        hint,
    )
    needed = WRITER_IMAGE_GIB + WRITER_GIB_PER_HOUR * WRITER_HOURS
    smallest = max(math.ceil(needed), int(disk.DM_BASESIZE_GIB))
    size = ctx.answer("basesize_gib", int, example="12")
    hint = f"image {WRITER_IMAGE_GIB:g} GiB + {WRITER_GIB_PER_HOUR:g} GiB/h × {WRITER_HOURS} h"
    if size > smallest:
        hint = "that works, but a smaller base size is enough; " + hint
    elif size < smallest:
        hint = "the writes still fail before 30 h; " + hint
    ctx.expect(2, size == smallest, f"basesize_gib == {smallest}", str(size), hint)


# -- ex3 -------------------------------------------------------------------------------------------
def check_cleanup(ctx: CheckContext) -> None:
    text = ctx.answer("ecs_config", str, example='"ECS_IMAGE_CLEANUP_INTERVAL=30m"')
    try:
        config = disk.AgentCleanupConfig.from_ecs_config(text).effective()
    except (disk.StorageConfigurationError, ValueError) as error:
        ctx.expect(
            1,
            False,
            "ecs.config lines the agent can read (KEY=value, one per line)",
            str(error).splitlines()[0],
            "durations are Go durations such as 45m or 1h30m",
        )
        return
    ctx.expect(1, True, "ecs.config lines the agent can read")
    wait = config.task_cleanup_wait_seconds
    ctx.expect(
        1,
        wait >= MINIMUM_CONTAINER_KEEP_SECONDS,
        "stopped containers kept at least 1 hour (ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION >= 1h)",
        "never removed" if math.isinf(wait) else f"removed after {wait / 60:g} minutes",
        "the team needs an hour to inspect stopped containers",
    )
    ctx.expect(
        1,
        config.removes_images,
        "image cleanup on",
        "image cleanup off",
        "leave ECS_DISABLE_IMAGE_CLEANUP false (and the pull behaviour not prefer-cached)",
    )
    workload = disk.rolling_releases_workload(
        RELEASE_HOURS, release_every_hours=RELEASE_EVERY_HOURS, image_gib=RELEASE_IMAGE_GIB
    )
    result = disk.simulate_disk(AL1, workload, config, RELEASE_HOURS)
    failure = result.first_failure
    hint = (
        "an image cannot be removed while a stopped container uses it: how long do stopped "
        "containers stay?"
    )
    if "ECS_IMAGE_CLEANUP_INTERVAL" in text and config.image_cleanup_interval_seconds == 1800:
        hint = "the agent ignores an image cleanup interval under 10 minutes; " + hint
    ctx.expect(
        2,
        failure is None,
        f"no failed pull or create in {RELEASE_HOURS} hours",
        "" if failure is None else f"at {failure.time_hours:g} h: {failure.message[:90]}",
        hint,
    )


# -- ex4 -------------------------------------------------------------------------------------------
def check_ephemeral_storage(ctx: CheckContext) -> None:
    definition = latest_task_definition(ctx, ETL_FAMILY)
    if not ctx.expect(
        1,
        definition is not None and taskdef.is_fargate(definition),
        f"a task definition '{ETL_FAMILY}' that requires FARGATE",
        "none"
        if definition is None
        else f"requiresCompatibilities {definition.get('requiresCompatibilities')}",
        "register it with taskdef.register(sb.ecs, {...}) and requiresCompatibilities=['FARGATE']",
    ):
        return
    needed = ETL_SCRATCH_GIB + ETL_IMAGE_GIB
    size = (definition.get("ephemeralStorage") or {}).get("sizeInGiB")
    hint = f"{ETL_SCRATCH_GIB} GiB of scratch plus the {ETL_IMAGE_GIB} GiB image"
    if size == ETL_SCRATCH_GIB:
        hint = "the image counts against ephemeral storage too: " + hint
    elif size is None:
        hint = 'set "ephemeralStorage": {"sizeInGiB": ...}; without it the task gets 20 GiB'
    elif size > needed:
        hint = "big enough, but not the smallest; " + hint
    ctx.expect(
        2,
        size == needed,
        f"ephemeralStorage.sizeInGiB == {needed}",
        "not set (20 GiB default)" if size is None else str(size),
        hint,
    )
    _check_arn(ctx, "etl_task_definition_arn", definition, ETL_FAMILY)


# -- ex5 -------------------------------------------------------------------------------------------
def check_shared_volume(ctx: CheckContext) -> None:
    definition = latest_task_definition(ctx, BACKUP_FAMILY)
    problems = [] if definition is None else taskdef.validate(definition)
    if not ctx.expect(
        1,
        definition is not None and not problems,
        f"a task definition '{BACKUP_FAMILY}' that ECS accepts",
        "none" if definition is None else "; ".join(problems),
        "register it with taskdef.register(sb.ecs, {...})",
    ):
        return
    volume = next((v for v in definition.get("volumes", []) if v.get("name") == BACKUP_VOLUME), {})
    docker = volume.get("dockerVolumeConfiguration") or {}
    hint = 'a Docker volume is {"name": ..., "dockerVolumeConfiguration": {"scope": ...}}'
    if volume.get("host") is not None:
        hint = "that is a bind mount (host); this exercise asks for a Docker volume"
    elif docker.get("scope") == "task":
        hint = "a task-scoped Docker volume is destroyed when the task stops"
    ctx.expect(
        1,
        docker.get("scope") == "shared",
        f"a Docker volume '{BACKUP_VOLUME}' with scope 'shared'",
        "no such volume" if not volume else f"{volume}",
        hint,
    )
    ctx.expect(
        1,
        docker.get("autoprovision") is True and docker.get("driver", "local") == "local",
        "autoprovision true, local driver",
        f"autoprovision {docker.get('autoprovision')}, driver {docker.get('driver')}",
        "autoprovision creates the shared volume the first time a task needs it",
    )
    container = next(
        (
            c
            for c in definition.get("containerDefinitions", [])
            if c.get("name") == BACKUP_CONTAINER
        ),
        {},
    )
    mounts = container.get("mountPoints") or []
    ctx.expect(
        1,
        any(
            m.get("sourceVolume") == BACKUP_VOLUME and m.get("containerPath") == BACKUP_PATH
            for m in mounts
        ),
        f"container '{BACKUP_CONTAINER}' mounting '{BACKUP_VOLUME}' at {BACKUP_PATH}",
        f"mountPoints {mounts}" if container else "no such container",
        'mountPoints: [{"sourceVolume": "backups", "containerPath": "/var/backups"}]',
    )
    _check_arn(ctx, "backup_task_definition_arn", definition, BACKUP_FAMILY)


EXERCISES = [
    Exercise("ex1", "Which disk fills?", 3, tuple(WRITES), check_which_disk),
    Exercise(
        "ex2",
        "The 10 GiB limit",
        4,
        ("hours_until_write_fails", "basesize_gib"),
        check_base_size,
    ),
    Exercise("ex3", "Cleanup that keeps up", 5, ("ecs_config",), check_cleanup),
    Exercise(
        "ex4",
        "Fargate ephemeral storage",
        4,
        ("etl_task_definition_arn",),
        check_ephemeral_storage,
    ),
    Exercise(
        "ex5",
        "A volume that outlives its task",
        5,
        ("backup_task_definition_arn",),
        check_shared_volume,
    ),
]
