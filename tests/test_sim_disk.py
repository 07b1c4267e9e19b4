"""Disk simulator: AMI storage layouts, devicemapper limits and the ECS agent's automated cleanup.

Sources: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-ami-storage-config.html,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/automated_image_cleanup.html,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html,
aws/amazon-ecs-agent README (agent configuration defaults).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from ecs_workbook import plots
from ecs_workbook.sim import disk
from ecs_workbook.sim.disk import (
    AgentCleanupConfig,
    StorageConfigurationError,
    TaskRun,
    Workload,
    disk_layout,
    runaway_writer_workload,
    simulate_disk,
)

QUICK_CLEANUP = AgentCleanupConfig(task_cleanup_wait_seconds=60)


def short_tasks(count: int, *, stop_hours: float = 0.1, image_gib: float = 0.1) -> Workload:
    """``count`` images, each used by one task that runs from 0 to ``stop_hours``."""
    images = {f"img:{index:02d}": image_gib for index in range(count)}
    tasks = tuple(
        TaskRun(f"t{index:02d}", name, 0.0, stop_hours) for index, name in enumerate(images)
    )
    return Workload(images, tasks)


def test_al1_layout_is_8_gib_root_plus_22_gib_docker_volume():
    layout = disk_layout("al1-devicemapper")
    assert [(v.device, v.size_gib) for v in layout.volumes] == [
        ("/dev/xvda", 8.0),
        ("/dev/xvdcz", 22.0),
    ]


def test_al1_thin_pool_holds_21_75_gib_of_data():
    """lvs shows docker-pool at 21.75g on the default 22 GiB volume."""
    assert disk_layout("al1-devicemapper").volume_for("images").capacity_gib == 21.75


def test_al1_container_layers_live_on_xvdcz_but_logs_on_xvda():
    """Issue aws/amazon-ecs-agent#312: images/layers on xvdcz; volumes and logs on xvda."""
    layout = disk_layout("al1-devicemapper")
    assert layout.volume_for("container_layers").device == "/dev/xvdcz"
    assert layout.volume_for("logs").device == "/dev/xvda"


def test_overlay2_layout_is_one_30_gib_root_volume_holding_everything():
    layout = disk_layout("overlay2")
    assert len(layout.volumes) == 1 and layout.volumes[0].size_gib == 30.0
    assert layout.volume_for("images") is layout.volume_for("logs")


def test_volumes_cannot_be_smaller_than_the_ami_default():
    with pytest.raises(StorageConfigurationError, match="not made smaller"):
        disk_layout("overlay2", root_gib=20)


def test_agent_cleanup_defaults_are_the_documented_ones():
    config = AgentCleanupConfig()
    assert config.task_cleanup_wait_seconds == 3 * 3600
    assert config.image_cleanup_interval_seconds == 30 * 60
    assert config.image_minimum_cleanup_age_seconds == 3600
    assert config.num_images_delete_per_cycle == 5
    assert config.image_pull_behavior == "default"
    assert not config.image_cleanup_disabled


def test_ecs_config_lines_use_go_durations():
    text = AgentCleanupConfig().as_ecs_config()
    assert "ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=3h" in text
    assert "ECS_IMAGE_CLEANUP_INTERVAL=30m" in text
    assert "ECS_IMAGE_MINIMUM_CLEANUP_AGE=1h" in text
    assert "ECS_NUM_IMAGES_DELETE_PER_CYCLE=5" in text


def test_ecs_config_text_is_parsed_like_the_agent():
    config = AgentCleanupConfig.from_ecs_config(
        "ECS_CLUSTER=prod\nECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=1h30m\n"
        "ECS_NUM_IMAGES_DELETE_PER_CYCLE=10\nECS_IMAGE_PULL_BEHAVIOR=once\n"
    )
    assert config.task_cleanup_wait_seconds == 5400
    assert config.num_images_delete_per_cycle == 10
    assert config.image_pull_behavior == "once"


def test_cleanup_interval_under_10_minutes_is_ignored():
    """Agent README: ECS_IMAGE_CLEANUP_INTERVAL below 10 minutes is ignored."""
    config = AgentCleanupConfig(image_cleanup_interval_seconds=300).effective()
    assert config.image_cleanup_interval_seconds == 1800


def test_stopped_task_containers_are_removed_3_hours_after_stop():
    workload = Workload({"app:1": 1.0}, (TaskRun("t1", "app:1", 0.0, 1.0, 0.1, 0.01),))
    result = simulate_disk("overlay2", workload, True, hours=6)
    removed = result.events_of("containers_removed")
    assert [event.time_hours for event in removed] == [4.0]


def test_container_layer_space_is_freed_when_containers_are_removed():
    workload = Workload({"app:1": 1.0}, (TaskRun("t1", "app:1", 0.0, 1.0, 1.0),))
    result = simulate_disk("overlay2", workload, True, hours=6)
    layers = result.component_gib["container_layers"]
    hours = result.times_hours
    assert layers[np.searchsorted(hours, 3.9)] == pytest.approx(1.0)
    assert layers[np.searchsorted(hours, 4.0)] == 0.0


def test_image_is_not_removed_until_older_than_one_hour():
    """Pulled at 0 h, unused from 0.1 h: the 1.0 h cycle finds it exactly 1 h old (not older)."""
    result = simulate_disk("overlay2", short_tasks(1), QUICK_CLEANUP, hours=3)
    assert [event.time_hours for event in result.events_of("images_removed")] == [1.5]


def test_image_referenced_by_a_stopped_container_is_kept_until_the_container_is_removed():
    result = simulate_disk("overlay2", short_tasks(1, stop_hours=0.5), True, hours=5)
    assert [event.time_hours for event in result.events_of("images_removed")] == [3.5]


def test_at_most_5_images_are_removed_per_30_minute_cycle():
    result = simulate_disk("overlay2", short_tasks(12), QUICK_CLEANUP, hours=4)
    removed = [
        (event.time_hours, event.message.count("img:"))
        for event in result.events_of("images_removed")
    ]
    assert removed == [(1.5, 5), (2.0, 5), (2.5, 2)]


def test_least_recently_used_images_are_removed_first():
    """Six images pulled together, last used at different times: the 5 least recent go first."""
    images = {f"img:{i}": 0.1 for i in range(6)}
    pulls = [TaskRun(f"pull{i}", f"img:{i}", 0.0, 0.05) for i in range(6)]
    reuse = [TaskRun(f"reuse{i}", f"img:{i}", 0.1 * (6 - i), 0.7) for i in range(6)]
    result = simulate_disk(
        "overlay2", Workload(images, tuple(pulls + reuse)), QUICK_CLEANUP, hours=3
    )
    first_cycle = result.events_of("images_removed")[0]
    assert first_cycle.time_hours == 1.5
    assert "img:5" in first_cycle.message and "img:0" not in first_cycle.message


def test_prefer_cached_pull_behavior_turns_image_cleanup_off():
    """agent/engine/docker_image_manager.go: prefer-cached disables the image cleanup process."""
    config = AgentCleanupConfig(task_cleanup_wait_seconds=60, image_pull_behavior="prefer-cached")
    result = simulate_disk("overlay2", short_tasks(3), config, hours=3)
    assert result.events_of("images_removed") == []


def test_devicemapper_container_fails_at_10_gib_base_size_while_pool_has_space():
    """A 0.5 GiB image + 1 GiB/h of writes fills the 10 GiB dm.basesize device at 9.5 h."""
    result = simulate_disk("al1-devicemapper", runaway_writer_workload(24), True, hours=24)
    failure = result.first_failure
    assert failure.reason == disk.CONTAINER_BASE_SIZE
    assert failure.time_hours == pytest.approx(9.5)
    assert result.usage_gib["/dev/xvdcz"].max() < result.capacity_gib["/dev/xvdcz"] - 10


def test_overlay2_has_no_per_container_limit_and_fails_only_when_root_is_full():
    result = simulate_disk("overlay2", runaway_writer_workload(36), True, hours=36)
    assert result.first_failure.reason == disk.VOLUME_FULL
    assert result.first_failure.time_hours == pytest.approx(28.0, abs=0.05)


def test_raising_dm_basesize_to_20g_moves_the_container_failure():
    layout = disk_layout("al1-devicemapper", base_size_gib=20)
    result = simulate_disk(layout, runaway_writer_workload(24), True, hours=24)
    assert result.first_failure.time_hours == pytest.approx(19.5)


def test_without_cleanup_the_thin_pool_refuses_new_containers_below_10_percent_free():
    result = simulate_disk("al1-devicemapper", None, False, hours=48)
    failure = result.first_failure
    assert failure.reason == disk.THIN_POOL_MIN_FREE
    assert "CannotCreateContainerError" in failure.message


def test_with_default_cleanup_the_release_workload_never_fails():
    assert simulate_disk("al1-devicemapper", None, True, hours=48).failures == []


def test_cleanup_jitter_is_seeded_and_deterministic():
    workload = Workload({"app:1": 1.0}, (TaskRun("t1", "app:1", 0.0, 1.0),))

    def removal(seed: int) -> float:
        config = AgentCleanupConfig(task_cleanup_wait_jitter_seconds=3600, seed=seed)
        return (
            simulate_disk("overlay2", workload, config, 8)
            .events_of("containers_removed")[0]
            .time_hours
        )

    assert removal(1) == removal(1)
    assert 4.0 <= removal(1) <= 5.0


def test_simulation_is_deterministic():
    first = simulate_disk("al1-devicemapper", None, True, 24)
    second = simulate_disk("al1-devicemapper", None, True, 24)
    assert first.events == second.events
    assert np.array_equal(first.usage_gib["/dev/xvdcz"], second.usage_gib["/dev/xvdcz"])


def test_unknown_image_in_workload_is_a_learner_error():
    with pytest.raises(StorageConfigurationError, match="not in images_gib"):
        Workload({}, (TaskRun("t", "missing:1", 0.0),))


def test_devicemapper_base_size_change_is_an_etc_sysconfig_docker_option():
    change = disk.devicemapper_base_size_change(20)
    assert change["file"] == "/etc/sysconfig/docker"
    assert change["line"] == 'OPTIONS="${OPTIONS} --storage-opt dm.basesize=20G"'
    assert change["user_data"].startswith("#cloud-boothook\ncloud-init-per once docker_options")


def test_devicemapper_base_size_cannot_shrink():
    with pytest.raises(StorageConfigurationError, match="only be raised"):
        disk.devicemapper_base_size_change(8)


def test_fargate_ephemeral_storage_defaults_to_20_gib():
    assert disk.fargate_ephemeral_storage({"family": "web"})["size_gib"] == 20


def test_fargate_ephemeral_storage_accepts_21_to_200_gib():
    storage = disk.fargate_ephemeral_storage({"ephemeralStorage": {"sizeInGiB": 200}})
    assert storage["size_gib"] == 200 and storage["configurable_range_gib"] == (21, 200)
    with pytest.raises(StorageConfigurationError, match="between 21 and 200"):
        disk.fargate_ephemeral_storage({"ephemeralStorage": {"sizeInGiB": 201}})


def test_fargate_platform_1_3_gives_10_gb_layers_and_4_gb_volumes():
    storage = disk.fargate_ephemeral_storage(None, platform_version="1.3.0")
    assert (storage["docker_layer_storage_gb"], storage["volume_storage_gb"]) == (10, 4)


@pytest.mark.parametrize("layout", ["al1-devicemapper", "overlay2"])
def test_plot_disk_with_and_without_cleanup_renders_cleanly(layout):
    with_cleanup = simulate_disk(layout, None, True, 48)
    without = simulate_disk(layout, None, False, 48)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = disk.plot_disk(with_cleanup, without)
        fig.canvas.draw()
    assert plots.figure_problems(fig) == []
    plots.plt.close(fig)


def test_plot_disk_accepts_a_list_mixing_layouts():
    workload = runaway_writer_workload(36)
    results = [
        simulate_disk("al1-devicemapper", workload, True, 36),
        simulate_disk("overlay2", workload, True, 36),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = disk.plot_disk(results)
        fig.canvas.draw()
    assert len(fig.get_axes()) == 3
    assert plots.figure_problems(fig) == []
    plots.plt.close(fig)


def test_interactive_disk_falls_back_to_a_static_figure(monkeypatch):
    monkeypatch.setenv("ECS_WORKBOOK_STATIC", "1")
    fig = disk.interactive_disk()
    assert plots.figure_problems(fig) == []
    plots.plt.close(fig)
