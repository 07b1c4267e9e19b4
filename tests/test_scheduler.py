"""The kit's scheduler places tasks the way ECS does (moto only fills instances first-fit).

Strategy examples: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/strategy-examples.html
Constraints: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html
"""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import UTC, datetime

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto_support import fake_aws

from ecs_workbook import cql, scheduler
from ecs_workbook.scheduler import (
    InstanceState,
    InvalidParameterException,
    explain_text,
    place_tasks,
    select_tasks_to_stop,
)

AGENT_PORTS = {22, 2375, 2376, 51678, 51679}
SMALL = {"CPU": 256, "MEMORY": 512, "PORTS": [], "PORTS_UDP": []}
AZ = "attribute:ecs.availability-zone"
ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


def instance(
    name: str,
    az: str = "us-east-1a",
    *,
    cpu: int = 4096,
    memory: int = 7482,
    instance_type: str = "t2.small",
    ports: set[int] | None = None,
    ports_udp: set[int] | None = None,
    groups: dict[str, int] | None = None,
    attributes: dict[str, str] | None = None,
    **kwargs,
) -> InstanceState:
    """A container instance named ``name`` (its ARN ends in ``/name``)."""
    groups = Counter(groups or {})
    return InstanceState(
        arn=f"arn:aws:ecs:us-east-1:123456789012:container-instance/lab/{name}",
        ec2_instance_id=f"i-{name}",
        remaining={
            "CPU": cpu,
            "MEMORY": memory,
            "PORTS": set(AGENT_PORTS if ports is None else ports),
            "PORTS_UDP": set(ports_udp or ()),
        },
        attributes={
            "ecs.availability-zone": az,
            "ecs.instance-type": instance_type,
            **(attributes or {}),
        },
        registered_at=datetime(2024, 1, 1, tzinfo=UTC),
        task_groups=groups,
        running_tasks_count=kwargs.pop("running_tasks_count", sum(groups.values())),
        **kwargs,
    )


def names(arns) -> list[str]:
    return [arn.rsplit("/", 1)[-1] for arn in arns]


def spread_of(plan) -> dict[str, int]:
    return dict(Counter(names(plan.placements)))


def place(instances, count=1, need=SMALL, group="family:web", seed=0, **kwargs):
    return place_tasks(instances, need, count, group=group, rng=random.Random(seed), **kwargs)


# --- binpack ---------------------------------------------------------------------------------


def test_binpack_prefers_least_remaining_memory():
    """binpack memory: the instance with the least memory left that still fits the task."""
    cluster = [instance("a", memory=4000), instance("b", memory=1000), instance("c", memory=2000)]
    plan = place(cluster, placement_strategy=[{"type": "binpack", "field": "memory"}])
    assert names(plan.placements) == ["b"]


def test_binpack_cpu_prefers_least_remaining_cpu():
    cluster = [instance("a", cpu=512), instance("b", cpu=300), instance("c", cpu=4096)]
    plan = place(cluster, placement_strategy=[{"type": "binpack", "field": "cpu"}])
    assert names(plan.placements) == ["b"]


def test_binpack_skips_an_instance_too_small_for_the_task():
    cluster = [instance("a", memory=4000), instance("b", memory=511)]
    plan = place(cluster, placement_strategy=[{"type": "binpack", "field": "memory"}])
    assert names(plan.placements) == ["a"]


def test_binpack_fills_one_instance_before_using_the_next():
    """BinPack minimises the number of instances in use (the console preset of that name)."""
    cluster = [instance("a"), instance("b"), instance("c", memory=3000)]
    plan = place(cluster, 6, placement_strategy=[{"type": "binpack", "field": "memory"}])
    assert spread_of(plan) == {"c": 5, "a": 1} or spread_of(plan) == {"c": 5, "b": 1}


def test_binpack_goes_to_the_fullest_instance_where_moto_goes_to_the_first():
    """moto-gaps 2.4: after pre-loading instance #3, binpack must choose #3 (moto chose #1)."""
    cluster = [instance("a"), instance("b"), instance("c", memory=7482 - 2 * 1024)]
    plan = place(cluster, placement_strategy=[{"type": "binpack", "field": "memory"}])
    assert names(plan.placements) == ["c"]


# --- spread ----------------------------------------------------------------------------------


def test_spread_instance_id_puts_one_task_on_each_instance():
    cluster = [instance("a"), instance("b"), instance("c")]
    plan = place(cluster, 3, placement_strategy=[{"type": "spread", "field": "instanceId"}])
    assert spread_of(plan) == {"a": 1, "b": 1, "c": 1}


def test_spread_host_is_the_same_field_as_instance_id():
    cluster = [instance("a"), instance("b")]
    by_host = place(cluster, 4, placement_strategy=[{"type": "spread", "field": "host"}])
    by_id = place(cluster, 4, placement_strategy=[{"type": "spread", "field": "instanceId"}])
    assert by_host.placements == by_id.placements
    assert spread_of(by_host) == {"a": 2, "b": 2}


def test_spread_az_then_instance_id_balances_zones_then_instances():
    """strategy-examples: spread AZ then instanceId = even across AZs, then inside each AZ."""
    cluster = [
        instance("a1", "us-east-1a"),
        instance("a2", "us-east-1a"),
        instance("b1", "us-east-1b"),
    ]
    plan = place(
        cluster,
        4,
        placement_strategy=[
            {"type": "spread", "field": AZ},
            {"type": "spread", "field": "instanceId"},
        ],
    )
    assert spread_of(plan) == {"a1": 1, "a2": 1, "b1": 2}


def test_spread_az_then_binpack_memory_packs_inside_each_zone():
    """strategy-examples: spread AZ then binpack memory = even across AZs, packed inside each."""
    cluster = [
        instance("a-roomy", "us-east-1a", memory=7000),
        instance("a-full", "us-east-1a", memory=3000),
        instance("b-roomy", "us-east-1b", memory=7000),
        instance("b-full", "us-east-1b", memory=2000),
    ]
    plan = place(
        cluster,
        4,
        placement_strategy=[
            {"type": "spread", "field": AZ},
            {"type": "binpack", "field": "memory"},
        ],
    )
    assert spread_of(plan) == {"a-full": 2, "b-full": 2}


def test_spread_instance_id_then_binpack_memory_breaks_ties_by_least_memory():
    """strategy-examples: spread instanceId then binpack memory."""
    cluster = [instance("a", memory=6000), instance("b", memory=1000), instance("c", memory=3000)]
    plan = place(
        cluster,
        1,
        placement_strategy=[
            {"type": "spread", "field": "instanceId"},
            {"type": "binpack", "field": "memory"},
        ],
    )
    assert names(plan.placements) == ["b"]


def test_spread_by_zone_puts_two_and_two_where_moto_puts_four_on_one():
    """moto-gaps 2.4: spread(AZ) on instances [1a, 1a, 1b], count 4 -> 2 tasks per zone."""
    cluster = [
        instance("a1", "us-east-1a"),
        instance("a2", "us-east-1a"),
        instance("b1", "us-east-1b"),
    ]
    plan = place(cluster, 4, placement_strategy=[{"type": "spread", "field": AZ}])
    zones = Counter("a" if n.startswith("a") else "b" for n in names(plan.placements))
    assert zones == {"a": 2, "b": 2}


def test_spread_balances_against_running_tasks_of_the_same_group():
    cluster = [instance("a", groups={"family:web": 2}), instance("b"), instance("c")]
    plan = place(cluster, 2, placement_strategy=[{"type": "spread", "field": "instanceId"}])
    assert spread_of(plan) == {"b": 1, "c": 1}


def test_spread_by_zone_counts_tasks_already_running_in_each_zone():
    cluster = [
        instance("a1", "us-east-1a", groups={"family:web": 2}),
        instance("a2", "us-east-1a"),
        instance("b1", "us-east-1b"),
    ]
    plan = place(cluster, 2, placement_strategy=[{"type": "spread", "field": AZ}])
    assert names(plan.placements) == ["b1", "b1"]


def test_spread_ignores_tasks_of_other_groups():
    cluster = [instance("a", groups={"family:batch": 5}), instance("b", groups={"family:web": 1})]
    plan = place(cluster, 1, placement_strategy=[{"type": "spread", "field": "instanceId"}])
    assert names(plan.placements) == ["a"]


def test_spread_on_a_custom_attribute_balances_its_values():
    cluster = [
        instance("p1", attributes={"stack": "prod"}),
        instance("p2", attributes={"stack": "prod"}),
        instance("t1", attributes={"stack": "test"}),
    ]
    plan = place(cluster, 4, placement_strategy=[{"type": "spread", "field": "attribute:stack"}])
    stacks = Counter(n[0] for n in names(plan.placements))
    assert stacks == {"p": 2, "t": 2}


# --- random and defaults ---------------------------------------------------------------------


def test_random_placement_repeats_under_the_same_seed():
    cluster = [instance(str(k)) for k in range(8)]
    first = place(cluster, 10, seed=42, placement_strategy=[{"type": "random"}])
    second = place(cluster, 10, seed=42, placement_strategy=[{"type": "random"}])
    assert first.placements == second.placements


def test_random_placement_uses_many_instances_not_the_first_one():
    cluster = [instance(str(k)) for k in range(8)]
    plan = place(cluster, 10, seed=42, placement_strategy=[{"type": "random"}])
    assert len(set(plan.placements)) >= 4


def test_run_task_default_is_random():
    """scheduling_tasks: RunTask without a strategy spreads tasks randomly over the cluster."""
    cluster = [instance(str(k)) for k in range(8)]
    default = place(cluster, 10, seed=7)
    explicit = place(cluster, 10, seed=7, placement_strategy=[{"type": "random"}])
    assert default.placements == explicit.placements


def test_service_default_spreads_by_zone_then_fewest_tasks_on_the_instance():
    """ecs_services: fewest tasks of the service per AZ, then per instance."""
    cluster = [
        instance("a1", "us-east-1a", groups={"service:web": 1}),
        instance("a2", "us-east-1a"),
        instance("b1", "us-east-1b", groups={"service:web": 1}),
        instance("b2", "us-east-1b", groups={"service:web": 1}),
    ]
    plan = place(cluster, 3, group="service:web", default="service")
    assert names(plan.placements)[0] == "a2"
    zones = Counter(name[0] for name in names(plan.placements))
    assert zones == {"a": 2, "b": 1}  # 3 tasks per zone in the end


def test_service_default_allows_more_than_ten_tasks():
    cluster = [instance(str(k)) for k in range(4)]
    plan = place(cluster, 12, group="service:web", default="service")
    assert len(plan.placements) == 12


# --- constraints -----------------------------------------------------------------------------


def test_distinct_instance_places_each_task_on_a_different_instance():
    """distinctInstance count=3 on 3 instances -> [1, 1, 1] (moto: [3, 0, 0])."""
    cluster = [instance("a"), instance("b"), instance("c")]
    plan = place(
        cluster,
        3,
        placement_constraints=[{"type": "distinctInstance"}],
        placement_strategy=[{"type": "binpack", "field": "memory"}],
    )
    assert spread_of(plan) == {"a": 1, "b": 1, "c": 1}


def test_distinct_instance_avoids_instances_already_running_the_group():
    cluster = [instance("a", groups={"family:web": 1}), instance("b"), instance("c")]
    plan = place(cluster, 2, placement_constraints=[{"type": "distinctInstance"}])
    assert sorted(names(plan.placements)) == ["b", "c"]


def test_distinct_instance_reports_instances_that_already_hold_the_group():
    cluster = [instance("a"), instance("b")]
    plan = place(cluster, 3, placement_constraints=[{"type": "distinctInstance"}])
    assert len(plan.placements) == 2
    assert plan.failures == [
        {"arn": cluster[0].arn, "reason": "DistinctInstance placement constraint unsatisfied."},
        {"arn": cluster[1].arn, "reason": "DistinctInstance placement constraint unsatisfied."},
    ]


DOCUMENTED_MEMBER_OF = [
    # (expression, instances as (name, az, type, groups), names allowed)
    ("attribute:ecs.instance-type =~ t2.*", {"t2a", "t2b"}),
    ("attribute:ecs.instance-type == t2.small", {"t2a", "t2b"}),
    ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", {"t2a", "g2", "t2b"}),
    (
        "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
        {"g2"},
    ),
    ("task:group == databases", {"t2b"}),
    ("not(task:group == databases)", {"t2a", "g2", "m5"}),
    ("runningTasksCount == 1", {"t2b"}),
    ("ec2InstanceId in ['i-m5', 'i-g2']", {"m5", "g2"}),
]


@pytest.mark.parametrize(("expression", "allowed"), DOCUMENTED_MEMBER_OF)
def test_member_of_places_only_on_instances_matching_documented_expressions(expression, allowed):
    """Example expressions from cluster-query-language / task-placement-constraints."""
    cluster = [
        instance("t2a", "us-east-1a", instance_type="t2.small"),
        instance("g2", "us-east-1b", instance_type="g2.2xlarge"),
        instance("t2b", "us-east-1a", instance_type="t2.small", groups={"databases": 1}),
        instance("m5", "us-east-1d", instance_type="m5.large"),
    ]
    plan = place(
        cluster,
        3,
        placement_constraints=[{"type": "memberOf", "expression": expression}],
        placement_strategy=[{"type": "spread", "field": "instanceId"}],
    )
    assert set(names(plan.placements)) == allowed


def test_member_of_with_no_matching_instance_places_nothing_and_says_why():
    """moto places the task anyway; ECS leaves it unplaced with a MemberOf failure."""
    cluster = [instance("a"), instance("b")]
    plan = place(
        cluster,
        placement_constraints=[{"type": "memberOf", "expression": "attribute:tier == gpu"}],
    )
    assert plan.placements == []
    assert [f["reason"] for f in plan.failures] == [
        "MemberOf placement constraint unsatisfied."
    ] * 2


def test_member_of_task_group_sees_tasks_placed_earlier_in_the_same_call():
    """Anti-affinity with the task's own group keeps the copies apart, one per instance."""
    cluster = [instance("a"), instance("b")]
    plan = place(
        cluster,
        3,
        placement_constraints=[{"type": "memberOf", "expression": "not(task:group == web)"}],
        group="web",
    )
    assert sorted(names(plan.placements)) == ["a", "b"]
    assert {f["reason"] for f in plan.failures} == {"MemberOf placement constraint unsatisfied."}


def test_member_of_running_tasks_count_is_re_evaluated_as_tasks_land():
    cluster = [instance("a"), instance("b")]
    plan = place(
        cluster,
        5,
        placement_constraints=[{"type": "memberOf", "expression": "runningTasksCount < 2"}],
    )
    assert spread_of(plan) == {"a": 2, "b": 2}


def test_task_definition_and_call_constraints_apply_together():
    cluster = [
        instance("t2-1a", "us-east-1a", instance_type="t2.small"),
        instance("t2-1b", "us-east-1b", instance_type="t2.small"),
        instance("m5-1a", "us-east-1a", instance_type="m5.large"),
    ]
    from_task_definition = [
        {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t2.*"}
    ]
    from_call = [
        {"type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1b"}
    ]
    plan = place(cluster, 2, placement_constraints=from_task_definition + from_call)
    assert names(plan.placements) == ["t2-1b", "t2-1b"]


# --- ports -----------------------------------------------------------------------------------


def test_static_host_port_keeps_copies_on_different_instances():
    """A task with a static host port runs at most once per instance (basic-service-params)."""
    web = {"CPU": 256, "MEMORY": 512, "PORTS": [80], "PORTS_UDP": []}
    cluster = [instance("a"), instance("b")]
    plan = place(cluster, 3, need=web, placement_strategy=[{"type": "binpack", "field": "memory"}])
    assert sorted(names(plan.placements)) == ["a", "b"]
    assert plan.failures == [
        {"arn": cluster[0].arn, "reason": "RESOURCE:PORTS"},
        {"arn": cluster[1].arn, "reason": "RESOURCE:PORTS"},
    ]


def test_dynamic_host_ports_let_copies_share_an_instance():
    """hostPort 0 or omitted reserves no host port, so binpack stacks the copies."""
    dynamic = {"CPU": 256, "MEMORY": 512, "PORTS": [], "PORTS_UDP": []}
    cluster = [instance("a"), instance("b")]
    plan = place(cluster, 5, need=dynamic, placement_strategy=[{"type": "binpack", "field": "cpu"}])
    assert len(set(plan.placements)) == 1


def test_agent_reserved_port_cannot_be_used_by_a_task():
    ssh = {"CPU": 256, "MEMORY": 512, "PORTS": [22], "PORTS_UDP": []}
    plan = place([instance("a")], need=ssh)
    assert plan.failures == [{"arn": plan.failures[0]["arn"], "reason": "RESOURCE:PORTS"}]


def test_udp_host_port_conflicts_only_with_udp():
    dns = {"CPU": 256, "MEMORY": 512, "PORTS": [], "PORTS_UDP": [53]}
    cluster = [
        instance("tcp-53-used", ports=AGENT_PORTS | {53}),
        instance("udp-53-used", ports_udp={53}),
    ]
    plan = place(cluster, 2, need=dns)
    assert names(plan.placements) == ["tcp-53-used"]
    assert plan.failures == [
        {"arn": cluster[0].arn, "reason": "RESOURCE:PORTS_UDP"},
        {"arn": cluster[1].arn, "reason": "RESOURCE:PORTS_UDP"},
    ]


def test_an_instance_holds_at_most_100_reserved_ports():
    crowded = instance("a", ports=set(range(1000, 1099)))  # 99 reserved
    two_ports = {"CPU": 1, "MEMORY": 1, "PORTS": [80, 81], "PORTS_UDP": []}
    one_port = {"CPU": 1, "MEMORY": 1, "PORTS": [80], "PORTS_UDP": []}
    assert place([crowded], need=two_ports).failures[0]["reason"] == "RESOURCE:PORTS"
    assert len(place([crowded], need=one_port).placements) == 1


# --- failures --------------------------------------------------------------------------------


def test_failures_name_each_instance_with_the_resource_it_lacks():
    cluster = [
        instance("a", cpu=100),
        instance("b", memory=100),
        instance("c", cpu=100, memory=100),
    ]
    plan = place(cluster)
    assert plan.placements == []
    assert plan.failures == [
        {"arn": cluster[0].arn, "reason": "RESOURCE:CPU"},
        {"arn": cluster[1].arn, "reason": "RESOURCE:MEMORY"},
        {"arn": cluster[2].arn, "reason": "RESOURCE:CPU"},
    ]


def test_tasks_that_do_not_fit_are_reported_not_dropped():
    """count=10 of 1024-CPU tasks on 2 instances of 4096: 8 placed and failures (moto: none)."""
    big = {"CPU": 1024, "MEMORY": 256, "PORTS": [], "PORTS_UDP": []}
    cluster = [instance("a"), instance("b")]
    plan = place(cluster, 10, need=big)
    assert len(plan.placements) == 8
    assert [f["reason"] for f in plan.failures] == ["RESOURCE:CPU", "RESOURCE:CPU"]


def test_instance_with_a_disconnected_agent_is_reported_as_agent():
    cluster = [instance("a", agent_connected=False)]
    plan = place(cluster)
    assert plan.failures == [{"arn": cluster[0].arn, "reason": "AGENT"}]


def test_draining_instances_receive_no_tasks():
    cluster = [instance("a", status="DRAINING"), instance("b")]
    plan = place(cluster, 3, placement_strategy=[{"type": "spread", "field": "instanceId"}])
    assert names(plan.placements) == ["b", "b", "b"]


def test_cluster_without_container_instances_is_refused():
    """RunTask on an empty cluster: InvalidParameterException 'No Container Instances were found
    in your cluster.' (github.com/aws/amazon-ecs-cli/issues/1122)."""
    with pytest.raises(InvalidParameterException, match="No Container Instances were found"):
        place([])


def test_placement_does_not_change_the_instances_it_is_given():
    cluster = [instance("a", groups={"family:web": 1})]
    before = repr(cluster)
    place(cluster, 3, need={"CPU": 1, "MEMORY": 1, "PORTS": [8080], "PORTS_UDP": []})
    assert repr(cluster) == before


# --- limits and malformed requests -----------------------------------------------------------


@pytest.mark.parametrize("count", [0, 11, -1])
def test_run_task_count_must_be_between_1_and_10(count):
    with pytest.raises(InvalidParameterException, match="between 1 and 10"):
        place([instance("a")], count)


def test_at_most_five_strategies():
    six = [{"type": "random"}] * 6
    with pytest.raises(InvalidParameterException, match="at most 5"):
        place([instance("a")], placement_strategy=six)


def test_at_most_ten_constraints_counting_task_definition_and_call():
    eleven = [{"type": "memberOf", "expression": "agentConnected == true"}] * 11
    with pytest.raises(InvalidParameterException, match="at most 10"):
        place([instance("a")], placement_constraints=eleven)


@pytest.mark.parametrize(
    ("strategy", "says"),
    [
        ({"type": "binpack", "field": "disk"}, "binpack field"),
        ({"type": "spread", "field": "zone"}, "spread field"),
        ({"type": "firstfit"}, "strategy type"),
    ],
)
def test_malformed_strategies_are_invalid_parameters(strategy, says):
    with pytest.raises(InvalidParameterException, match=says):
        place([instance("a")], placement_strategy=[strategy])


@pytest.mark.parametrize(
    ("constraint", "says"),
    [
        ({"type": "distinctInstance", "expression": "runningTasksCount == 0"}, "no expression"),
        ({"type": "memberOf"}, "needs an expression"),
        ({"type": "memberOf", "expression": "attribute:ecs.instance-type =="}, "not valid"),
        ({"type": "sameZone"}, "constraint type"),
    ],
)
def test_malformed_constraints_are_invalid_parameters(constraint, says):
    with pytest.raises(InvalidParameterException, match=says):
        place([instance("a")], placement_constraints=[constraint])


def test_ecs_errors_become_botocore_client_errors_with_ecs_code():
    error = InvalidParameterException("bad").to_client_error("RunTask")
    assert isinstance(error, ClientError)
    assert error.response["Error"] == {"Code": "InvalidParameterException", "Message": "bad"}


# --- explanations ----------------------------------------------------------------------------


def test_explain_lists_candidates_after_each_filter_and_strategy():
    cluster = [instance("a", memory=300), instance("b", memory=3000), instance("c", memory=2000)]
    plan = place(
        cluster,
        1,
        placement_strategy=[{"type": "binpack", "field": "memory"}],
        placement_constraints=[{"type": "memberOf", "expression": "ec2InstanceId != i-c"}],
        explain=True,
    )
    (entry,) = plan.explanations
    assert [names(step["candidates"]) for step in entry["filters"]] == [
        ["a", "b", "c"],
        ["a", "b", "c"],
        ["b", "c"],
        ["b"],
    ]
    assert entry["strategies"][0]["scores"] == {cluster[1].arn: 3000}
    assert entry["chosen"] == cluster[1].arn


def test_explain_text_shows_why_a_task_was_not_placed():
    plan = place([instance("a", memory=10)], explain=True)
    text = explain_text(plan)
    assert "Task 1 -> NOT PLACED" in text
    assert "a: RESOURCE:MEMORY" in text


def test_explanations_do_not_change_where_tasks_go():
    cluster = [instance(str(k), f"us-east-1{'ab'[k % 2]}") for k in range(6)]
    kwargs = {"placement_strategy": [{"type": "spread", "field": AZ}], "seed": 3}
    assert (
        place(cluster, 9, explain=True, **kwargs).placements
        == place(cluster, 9, **kwargs).placements
    )


# --- placing in runs, chaining calls, reading moto's records ------------------------------------


@pytest.mark.parametrize("memory_mib", [128, 0])
@pytest.mark.parametrize("field", ["memory", "cpu"])
def test_binpack_in_runs_places_exactly_as_one_task_at_a_time(memory_mib, field):
    """The fast path (a binpack choice keeps the next tasks) matches one-by-one placement."""
    cluster = [instance(f"i{k}", ZONES[k % 3], memory=7482 - 300 * (k % 4)) for k in range(12)]
    need = {"CPU": 64, "MEMORY": memory_mib, "PORTS": [], "PORTS_UDP": []}
    kwargs = {
        "need": need,
        "default": "service",
        "placement_strategy": [
            {"type": "binpack", "field": field},
            {"type": "spread", "field": AZ},
        ],
        "placement_constraints": [{"type": "memberOf", "expression": "ec2InstanceId != i-i3"}],
    }
    fast = place(cluster, 500, **kwargs)
    slow = place(cluster, 500, explain=True, **kwargs)
    assert fast.placements == slow.placements
    assert len(fast.placements) == 500


def test_apply_placements_lets_calls_see_earlier_calls():
    cluster = [instance("a", memory=1024), instance("b", memory=7000)]
    binpack = [{"type": "binpack", "field": "memory"}]
    first = place(cluster, 2, placement_strategy=binpack)
    after = scheduler.apply_placements(cluster, first, SMALL)
    assert after[0].remaining["MEMORY"] == 0 and after[0].task_groups["family:web"] == 2
    second = place(after, 1, placement_strategy=binpack)
    assert names(second.placements) == ["b"]
    assert cluster[0].remaining["MEMORY"] == 1024  # the input records are unchanged


def test_instance_state_reads_a_describe_container_instances_entry():
    described = {
        "containerInstanceArn": "arn:aws:ecs:us-east-1:123456789012:container-instance/lab/x",
        "ec2InstanceId": "i-x",
        "versionInfo": {"agentVersion": "1.0.0"},
        "remainingResources": [
            {"name": "CPU", "type": "INTEGER", "integerValue": 1024},
            {"name": "MEMORY", "type": "INTEGER", "integerValue": 995},
            {
                "name": "PORTS",
                "type": "STRINGSET",
                "stringSetValue": ["22", "2376", "2375", "51678"],
            },
            {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": []},
        ],
        "status": "ACTIVE",
        "agentConnected": True,
        "runningTasksCount": 1,
        "attributes": [{"name": "ecs.availability-zone", "value": "us-east-1a"}],
        "registeredAt": datetime(2024, 1, 1, tzinfo=UTC),
    }
    state = InstanceState.from_container_instance(described, {"family:web": 1})
    assert state.remaining == {
        "CPU": 1024,
        "MEMORY": 995,
        "PORTS": {22, 2375, 2376, 51678},
        "PORTS_UDP": set(),
    }
    facts = state.facts()
    assert facts.task_groups == frozenset({"family:web"})
    assert cql.matches(
        "attribute:ecs.availability-zone == us-east-1a and runningTasksCount == 1", facts
    )


# --- scale-in --------------------------------------------------------------------------------


def test_binpack_scale_in_stops_where_most_memory_would_remain():
    cluster = [instance("a", memory=500), instance("b", memory=5000)]
    tasks = {cluster[0].arn: ["t-a1", "t-a2"], cluster[1].arn: ["t-b1"]}
    stopped = select_tasks_to_stop(
        tasks, cluster, 1, [{"type": "binpack", "field": "memory"}], rng=random.Random(0)
    )
    assert stopped == ["t-b1"]


def test_default_scale_in_stops_in_the_busiest_zone_then_busiest_instance():
    """ecs_services: scale-in keeps AZ balance, then the instance with the most tasks."""
    cluster = [
        instance("a1", "us-east-1a"),
        instance("a2", "us-east-1a"),
        instance("b1", "us-east-1b"),
    ]
    tasks = {
        cluster[0].arn: ["a1-1", "a1-2"],
        cluster[1].arn: ["a2-1"],
        cluster[2].arn: ["b1-1", "b1-2"],
    }
    stopped = select_tasks_to_stop(tasks, cluster, 2, rng=random.Random(0))
    assert set(stopped[:1]) <= {"a1-1", "a1-2"}
    assert stopped[1] in {"b1-1", "b1-2"}


def test_spread_instance_scale_in_stops_on_the_instance_with_most_tasks():
    cluster = [instance("a"), instance("b")]
    tasks = {cluster[0].arn: ["a-1"], cluster[1].arn: ["b-1", "b-2", "b-3"]}
    stopped = select_tasks_to_stop(
        tasks, cluster, 2, [{"type": "spread", "field": "instanceId"}], rng=random.Random(0)
    )
    assert {t[0] for t in stopped} == {"b"}


def test_scale_in_never_stops_more_tasks_than_exist():
    cluster = [instance("a")]
    stopped = select_tasks_to_stop({cluster[0].arn: ["a-1"]}, cluster, 5, rng=random.Random(0))
    assert stopped == ["a-1"]


# --- property: never over-commit, never break a constraint -----------------------------------

TYPES = ["t2.small", "m5.large", "c5.xlarge"]
EXPRESSIONS = [
    "attribute:ecs.instance-type =~ t2.*",
    "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
    "not(task:group == web)",
    "task:group == db",
    "runningTasksCount < 3",
    "attribute:stack == prod",
]
STRATEGIES = [
    {"type": "binpack", "field": "memory"},
    {"type": "binpack", "field": "cpu"},
    {"type": "spread", "field": "instanceId"},
    {"type": "spread", "field": AZ},
    {"type": "spread", "field": "attribute:stack"},
    {"type": "random"},
]


@st.composite
def clusters(draw):
    size = draw(st.integers(1, 6))
    result = []
    for k in range(size):
        groups = draw(
            st.dictionaries(st.sampled_from(["web", "db"]), st.integers(1, 2), max_size=2)
        )
        extra = draw(
            st.dictionaries(st.just("stack"), st.sampled_from(["prod", "test"]), max_size=1)
        )
        result.append(
            instance(
                f"ci{k}",
                draw(st.sampled_from(ZONES)),
                cpu=draw(st.integers(0, 2048)),
                memory=draw(st.integers(0, 4096)),
                instance_type=draw(st.sampled_from(TYPES)),
                ports=AGENT_PORTS | draw(st.sets(st.sampled_from([80, 443, 8080]), max_size=2)),
                ports_udp=draw(st.sets(st.sampled_from([53, 123]), max_size=1)),
                groups=groups,
                attributes=extra,
                agent_connected=draw(st.booleans()) or draw(st.booleans()),
                status=draw(st.sampled_from(["ACTIVE", "ACTIVE", "ACTIVE", "DRAINING"])),
            )
        )
    return result


needs = st.fixed_dictionaries(
    {
        "CPU": st.integers(0, 1024),
        "MEMORY": st.integers(1, 2048),
        "PORTS": st.lists(st.sampled_from([80, 443, 8080]), max_size=2, unique=True),
        "PORTS_UDP": st.lists(st.sampled_from([53, 123]), max_size=1, unique=True),
    }
)
constraint_lists = st.lists(
    st.one_of(
        st.just({"type": "distinctInstance"}),
        st.sampled_from(EXPRESSIONS).map(lambda e: {"type": "memberOf", "expression": e}),
    ),
    max_size=3,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cluster=clusters(),
    need=needs,
    count=st.integers(1, 10),
    strategy=st.lists(st.sampled_from(STRATEGIES), max_size=3),
    constraints=constraint_lists,
    group=st.sampled_from(["web", "db", "family:other"]),
    seed=st.integers(0, 10),
)
def test_placement_never_over_commits_and_never_breaks_a_constraint(
    cluster, need, count, strategy, constraints, group, seed
):
    if not any(inst.status == "ACTIVE" for inst in cluster):
        return
    plan = place(
        cluster,
        count,
        need=need,
        group=group,
        seed=seed,
        placement_strategy=strategy,
        placement_constraints=constraints,
    )
    # Replay the placements on independent copies, checking every rule at the moment of placing.
    state = {
        inst.arn: {
            "cpu": inst.remaining["CPU"],
            "memory": inst.remaining["MEMORY"],
            "ports": set(inst.remaining["PORTS"]),
            "udp": set(inst.remaining["PORTS_UDP"]),
            "groups": Counter(inst.task_groups),
            "running": inst.running_tasks_count,
            "inst": inst,
        }
        for inst in cluster
    }
    for arn in plan.placements:
        s = state[arn]
        inst = s["inst"]
        assert inst.status == "ACTIVE" and inst.agent_connected
        facts = cql.InstanceFacts(
            attributes=inst.attributes,
            ec2_instance_id=inst.ec2_instance_id,
            registered_at=inst.registered_at,
            running_tasks_count=s["running"],
            agent_version=inst.agent_version,
            agent_connected=inst.agent_connected,
            task_groups=frozenset(g for g, n in s["groups"].items() if n),
        )
        for constraint in constraints:
            if constraint["type"] == "distinctInstance":
                assert s["groups"][group] == 0
            else:
                assert cql.matches(constraint["expression"], facts)
        assert not set(need["PORTS"]) & s["ports"], "TCP port double-booked"
        assert not set(need["PORTS_UDP"]) & s["udp"], "UDP port double-booked"
        s["cpu"] -= need["CPU"]
        s["memory"] -= need["MEMORY"]
        assert s["cpu"] >= 0 and s["memory"] >= 0, "over-committed"
        s["ports"] |= set(need["PORTS"])
        s["udp"] |= set(need["PORTS_UDP"])
        s["groups"][group] += 1
        s["running"] += 1
    # Placing several tasks at once on a binpack choice gives what one-by-one placement gives.
    one_by_one = place(
        cluster,
        count,
        need=need,
        group=group,
        seed=seed,
        explain=True,
        placement_strategy=strategy,
        placement_constraints=constraints,
    )
    assert one_by_one.placements == plan.placements
    # Anything not placed is explained, one failure per ACTIVE instance.
    if len(plan.placements) < count:
        active = [inst.arn for inst in cluster if inst.status == "ACTIVE"]
        assert [f["arn"] for f in plan.failures] == active
    else:
        assert plan.failures == []


# --- run_task against moto -------------------------------------------------------------------


@pytest.fixture(scope="module")
def moto_lab():
    """A moto cluster 'lab' with three container instances: two in us-east-1a, one in 1b.

    Registered as moto-gaps 2.2 describes (ECS-optimised AMI from SSM, run_instances,
    register_container_instance); moto gives each 4096 CPU units and 7482 MiB.
    """
    import boto3
    from moto import mock_aws

    with fake_aws(tasks_stay_put=True), mock_aws():
        ecs = boto3.client("ecs", region_name="us-east-1")
        ec2 = boto3.client("ec2", region_name="us-east-1")
        ssm = boto3.client("ssm", region_name="us-east-1")
        ecs.create_cluster(clusterName="lab")
        ami = ssm.get_parameter(
            Name="/aws/service/ecs/optimized-ami/amazon-linux-2/recommended/image_id"
        )["Parameter"]["Value"]
        arns = []
        for zone in ("us-east-1a", "us-east-1a", "us-east-1b"):
            reservation = ec2.run_instances(
                ImageId=ami,
                MinCount=1,
                MaxCount=1,
                InstanceType="m5.large",
                Placement={"AvailabilityZone": zone},
            )
            document = json.dumps({"instanceId": reservation["Instances"][0]["InstanceId"]})
            registered = ecs.register_container_instance(
                cluster="lab", instanceIdentityDocument=document
            )
            arns.append(registered["containerInstance"]["containerInstanceArn"])
        ecs.register_task_definition(
            family="web",
            containerDefinitions=[{"name": "web", "image": "nginx", "cpu": 256, "memory": 1024}],
        )
        yield ecs, arns


@pytest.fixture
def ecs_lab(moto_lab):
    """The moto cluster, emptied of running tasks after each test."""
    yield moto_lab
    ecs, _ = moto_lab
    for arn in ecs.list_tasks(cluster="lab", desiredStatus="RUNNING")["taskArns"]:
        ecs.stop_task(cluster="lab", task=arn)


def _per_instance(response, arns):
    placed = Counter(task["containerInstanceArn"] for task in response["tasks"])
    return [placed[arn] for arn in arns]


def test_run_task_binpack_on_moto_chooses_the_fullest_instance(ecs_lab):
    """moto alone puts the task on the first instance; binpack picks the one already in use."""
    ecs, arns = ecs_lab
    ecs.start_task(cluster="lab", taskDefinition="web", containerInstances=[arns[2]])
    response = scheduler.run_task(
        ecs,
        cluster="lab",
        taskDefinition="web",
        count=3,
        placementStrategy=[{"type": "binpack", "field": "memory"}],
    )
    assert _per_instance(response, arns) == [0, 0, 3]
    assert response["failures"] == []


def test_run_task_spread_on_moto_balances_zones_then_instances(ecs_lab):
    """moto 5.2.5's own run_task ignores strategies ([4, 0, 0] here, moto-gaps.md §2.4)."""
    ecs, arns = ecs_lab
    response = scheduler.run_task(
        ecs,
        cluster="lab",
        taskDefinition="web",
        count=4,
        placementStrategy=[
            {"type": "spread", "field": AZ},
            {"type": "spread", "field": "instanceId"},
        ],
    )
    assert _per_instance(response, arns) == [1, 1, 2]
    assert {task["group"] for task in response["tasks"]} == {"family:web"}


def test_run_task_reports_failures_moto_would_swallow(ecs_lab):
    ecs, arns = ecs_lab
    ecs.register_task_definition(
        family="huge",
        containerDefinitions=[{"name": "huge", "image": "nginx", "cpu": 256, "memory": 8000}],
    )
    response = scheduler.run_task(ecs, cluster="lab", taskDefinition="huge")
    assert response["tasks"] == []
    assert sorted(response["failures"], key=lambda f: f["arn"]) == [
        {"arn": arn, "reason": "RESOURCE:MEMORY"} for arn in sorted(arns)
    ]


def test_run_task_rejects_more_than_ten_tasks_as_ecs_does(ecs_lab):
    ecs, _ = ecs_lab
    with pytest.raises(ClientError) as raised:
        scheduler.run_task(ecs, cluster="lab", taskDefinition="web", count=11)
    assert raised.value.response["Error"]["Code"] == "InvalidParameterException"


def test_run_task_explains_its_choice_when_asked(ecs_lab):
    ecs, arns = ecs_lab
    response = scheduler.run_task(
        ecs,
        explain=True,
        cluster="lab",
        taskDefinition="web",
        placementConstraints=[
            {"type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1b"}
        ],
    )
    assert response["explanation"][0]["chosen"] == arns[2]
    assert _per_instance(response, arns) == [0, 0, 1]


def test_run_task_rejects_a_misspelt_parameter_as_boto3_does(ecs_lab):
    from botocore.exceptions import ParamValidationError

    ecs, _ = ecs_lab
    with pytest.raises(ParamValidationError, match="placementStrategies"):
        scheduler.run_task(
            ecs, cluster="lab", taskDefinition="web", placementStrategies=[{"type": "random"}]
        )


def test_run_task_on_an_empty_cluster_is_an_invalid_parameter(ecs_lab):
    ecs, _ = ecs_lab
    ecs.create_cluster(clusterName="empty")
    with pytest.raises(ClientError, match="No Container Instances were found in your cluster."):
        scheduler.run_task(ecs, cluster="empty", taskDefinition="web")


def test_explain_text_reads_a_run_task_response_as_well_as_a_plan():
    """Notebooks pass the response of run_task(..., explain=True) straight in."""
    instances = [
        InstanceState(
            arn=f"arn:aws:ecs:us-east-1:123456789012:container-instance/demo/{name}",
            ec2_instance_id=f"i-{name}",
            remaining={"CPU": 1024, "MEMORY": 1024, "PORTS": set(), "PORTS_UDP": set()},
            attributes={"ecs.availability-zone": "us-east-1a"},
            registered_at=datetime(2026, 1, 1, tzinfo=UTC),
            task_groups=Counter(),
        )
        for name in ("a", "b")
    ]
    plan = place_tasks(
        instances,
        {"CPU": 2048, "MEMORY": 128, "PORTS": [], "PORTS_UDP": []},
        1,
        group="family:web",
        rng=random.Random(0),
        explain=True,
    )
    response = {"tasks": [], "failures": plan.failures, "explanation": plan.explanations}
    assert explain_text(response) == explain_text(plan)
    assert "NOT PLACED" in explain_text(response)
    assert "RESOURCE:CPU" in explain_text(response)
