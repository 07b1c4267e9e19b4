"""Checks of lab 01, clusters and container instances.

Every check reads the moto state through describe/list calls (never changes it) and the learner's
answers, and awards points per thing it verifies, with a hint written for the learner.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/clusters.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ECS_instances.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/container-instance-draining.html
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from ecs_workbook import cql
from ecs_workbook.grading.checking import CheckContext, Exercise
from ecs_workbook.grading.checks._common import expect_arn
from ecs_workbook.scheduler import InstanceState

CLUSTER = "workshop"
TAG = {"key": "team", "value": "platform"}
INSTANCE_TYPES = {"t3.medium": 2, "c5.xlarge": 1}
#: CPU units per vCPU ([API] ContainerDefinition.cpu).
CPU_UNITS_PER_VCPU = 1024
#: What moto registers for every instance type when the kit's engine is not installed.
MOTO_DEFAULT_CPU_UNITS = 4096


def _cluster(ctx: CheckContext) -> dict[str, Any] | None:
    described = ctx.ecs.describe_clusters(clusters=[CLUSTER], include=["TAGS"])
    active = [c for c in described.get("clusters", []) if c.get("status") == "ACTIVE"]
    return active[0] if active else None


def _cluster_names(ctx: CheckContext) -> str:
    names = [arn.rsplit("/", 1)[-1] for arn in ctx.ecs.list_clusters().get("clusterArns", [])]
    return f"clusters {names}" if names else "no clusters at all"


def _instances(ctx: CheckContext) -> list[dict[str, Any]] | None:
    """The workshop cluster's container instances (describe entries), or None without the cluster."""
    if _cluster(ctx) is None:
        return None
    arns = ctx.ecs.list_container_instances(cluster=CLUSTER).get("containerInstanceArns", [])
    if not arns:
        return []
    described = ctx.ecs.describe_container_instances(cluster=CLUSTER, containerInstances=arns)
    return described.get("containerInstances", [])


def _require_instances(ctx: CheckContext, points: float) -> list[dict[str, Any]] | None:
    instances = _instances(ctx)
    if instances is None:
        ctx.expect(
            points,
            False,
            f"the cluster '{CLUSTER}' from exercise ex1",
            _cluster_names(ctx),
            "do exercise ex1 first, then run the cells again from the top",
        )
    return instances


def _type(instance: dict[str, Any]) -> str:
    return next(
        (
            a.get("value", "")
            for a in instance.get("attributes", [])
            if a["name"] == "ecs.instance-type"
        ),
        "?",
    )


def _attribute(instance: dict[str, Any], name: str) -> str | None:
    return next((a.get("value") for a in instance.get("attributes", []) if a["name"] == name), None)


def _registered(instance: dict[str, Any], resource: str) -> int:
    return next(
        (
            int(r.get("integerValue", 0))
            for r in instance.get("registeredResources", [])
            if r["name"] == resource
        ),
        0,
    )


def _label(instance: dict[str, Any]) -> str:
    stack = _attribute(instance, "stack")
    return f"{instance.get('ec2InstanceId', '?')} ({_type(instance)}" + (
        f", stack={stack})" if stack else ")"
    )


def _labels(instances: list[dict[str, Any]]) -> str:
    return "[" + ", ".join(_label(i) for i in instances) + "]" if instances else "none"


def _prod_t3(instances: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in instances if _type(i).startswith("t3.") and _attribute(i, "stack") == "prod"]


# -- ex1 -------------------------------------------------------------------------------------------
def check_create_cluster(ctx: CheckContext) -> None:
    cluster = _cluster(ctx)
    if not ctx.expect(
        1,
        cluster is not None,
        f"an ACTIVE cluster named '{CLUSTER}'",
        _cluster_names(ctx),
        f'call sb.ecs.create_cluster(clusterName="{CLUSTER}", ...)',
    ):
        return
    tags = {t.get("key"): t.get("value") for t in cluster.get("tags", [])}
    ctx.expect(
        1,
        tags.get(TAG["key"]) == TAG["value"],
        f"the tag {TAG['key']}={TAG['value']} on the cluster",
        f"tags {tags}" if tags else "no tags",
        'pass tags=[{"key": "team", "value": "platform"}] to create_cluster (key/value in lower case)',
    )
    expect_arn(
        ctx,
        "workshop_cluster_arn",
        resource="cluster",
        arn=cluster["clusterArn"],
        resource_name=CLUSTER,
        example=repr(cluster["clusterArn"]),
        hint="the ARN is in the response: response['cluster']['clusterArn']",
    )


# -- ex2 -------------------------------------------------------------------------------------------
def check_container_instances(ctx: CheckContext) -> None:
    instances = _require_instances(ctx, 4)
    if instances is None:
        return
    wanted = sum(INSTANCE_TYPES.values())
    ctx.expect(
        1,
        len(instances) == wanted,
        f"{wanted} container instances registered in '{CLUSTER}'",
        f"{len(instances)}",
        "use instances.add_container_instances(sb.ecs, sb.ec2, cluster=..., instance_type=..., count=...)"
        + (
            "; restart the kernel and run all cells to start over"
            if len(instances) > wanted
            else ""
        ),
    )
    types = Counter(_type(i) for i in instances)
    ctx.expect(
        1,
        types == Counter(INSTANCE_TYPES),
        "two t3.medium and one c5.xlarge",
        ", ".join(f"{n} × {t}" for t, n in sorted(types.items())) or "none",
        "pass instance_type='t3.medium' with count=2, then instance_type='c5.xlarge'",
    )
    total = sum(_registered(i, "CPU") for i in instances)
    answer = ctx.answer("total_cpu_units", int, example="8192")
    hint = "add up the CPU entry (integerValue) of each instance's registeredResources"
    if total and answer * CPU_UNITS_PER_VCPU == total:
        hint = (
            f"{answer} is the number of vCPUs; ECS counts {CPU_UNITS_PER_VCPU} CPU units per vCPU"
        )
    elif answer == MOTO_DEFAULT_CPU_UNITS * len(instances):
        hint = (
            "moto alone registers 4096 units for every type; ECS (and this kit) registers "
            "vCPUs × 1024 for the instance type: read registeredResources"
        )
    ctx.expect(
        2,
        total > 0 and answer == total,
        f"total_cpu_units == {total}, the CPU units the cluster's instances registered",
        str(answer),
        hint,
    )


# -- ex3 -------------------------------------------------------------------------------------------
def check_attribute_and_query(ctx: CheckContext) -> None:
    instances = _require_instances(ctx, 5)
    if instances is None:
        return
    c5 = [i for i in instances if _type(i) == "c5.xlarge"]
    ctx.expect(
        1,
        bool(c5) and all(_attribute(i, "stack") == "prod" for i in c5),
        "the custom attribute stack=prod on the c5.xlarge instance",
        _labels(c5) if c5 else "no c5.xlarge instance (exercise ex2)",
        'sb.ecs.put_attributes(cluster=..., attributes=[{"name": "stack", "value": "prod", '
        '"targetId": <containerInstanceArn>}])',
    )
    t3 = [i for i in instances if _type(i).startswith("t3.")]
    prod_t3 = _prod_t3(instances)
    ctx.expect(
        1,
        len(prod_t3) == 1,
        "stack=prod on exactly one of the t3.medium instances",
        f"{len(prod_t3)} of {len(t3)} t3 instances have it",
        "put the attribute on one t3.medium, not both" if len(prod_t3) > 1 else "",
    )
    expression = ctx.answer("prod_t3_expression", str, example='"attribute:stack == prod and ..."')
    try:
        parsed = cql.parse(expression)
    except cql.CQLError as error:
        ctx.expect(
            1,
            False,
            "a valid cluster query language expression",
            str(getattr(error, "message", error)).splitlines()[0],
            "the form is `subject operator argument`, joined with and/or, e.g. "
            "attribute:ecs.instance-type =~ t3.*",
        )
        return
    ctx.expect(1, True, "a valid cluster query language expression")
    selected = [
        i for i in instances if parsed.matches(InstanceState.from_container_instance(i).facts())
    ]
    wanted = {i["containerInstanceArn"] for i in prod_t3}
    ctx.expect(
        2,
        bool(wanted) and {i["containerInstanceArn"] for i in selected} == wanted,
        "the expression selects exactly the t3 instances of the prod stack",
        f"it selects {_labels(selected)}",
        "combine two conditions with `and`: one on the custom attribute stack, one on the "
        "built-in attribute ecs.instance-type (=~ matches a pattern such as t3.*)",
    )


# -- ex4 -------------------------------------------------------------------------------------------
def check_drain(ctx: CheckContext) -> None:
    instances = _require_instances(ctx, 3)
    if instances is None:
        return
    targets = _prod_t3(instances)
    if not ctx.expect(
        1,
        len(targets) == 1 and targets[0].get("status") == "DRAINING",
        "the prod t3.medium instance (from ex3) to be DRAINING",
        ", ".join(f"{_label(i)} is {i.get('status')}" for i in targets)
        or "no single t3 instance with stack=prod (exercise ex3)",
        "sb.ecs.update_container_instances_state(cluster=..., containerInstances=[arn], "
        'status="DRAINING")',
    ):
        return
    target = targets[0]
    others = [i for i in instances if i is not target and i.get("status") != "ACTIVE"]
    ctx.expect(
        1,
        not others,
        "every other instance to stay ACTIVE",
        ", ".join(f"{_label(i)} is {i.get('status')}" for i in others),
        'drain only the one instance; set the others back with status="ACTIVE"',
    )
    answer = ctx.answer(
        "drained_instance_arn", str, example="'arn:aws:ecs:...:container-instance/...'"
    )
    hint = "use the containerInstanceArn of the instance you drained"
    if answer == target.get("ec2InstanceId"):
        hint = "that is the EC2 instance id; ECS names a container instance by its containerInstanceArn"
    ctx.expect(
        1,
        answer == target["containerInstanceArn"],
        "drained_instance_arn to be that instance's containerInstanceArn",
        repr(answer),
        hint,
    )


# -- ex5 -------------------------------------------------------------------------------------------
def check_read_remaining_cpu(ctx: CheckContext) -> None:
    instances = _require_instances(ctx, 2)
    if instances is None:
        return
    states = [InstanceState.from_container_instance(i) for i in instances]
    if not ctx.expect(
        0,
        any(s.status == "DRAINING" for s in states) and any(s.status == "ACTIVE" for s in states),
        "one instance DRAINING and the others ACTIVE (exercise ex4)",
        ", ".join(sorted(s.status for s in states)) or "no instances",
        "do exercise ex4 first, then run the table cell again",
    ):
        ctx.expect(2, False, "an answer read from the table", "not graded until ex4 is done")
        return
    expected = sum(int(s.remaining["CPU"]) for s in states if s.status == "ACTIVE")
    everything = sum(int(s.remaining["CPU"]) for s in states)
    answer = ctx.answer("free_cpu_units", int, example="1234")
    hint = "add the remaining CPU of the ACTIVE rows of the table"
    if answer == everything:
        hint = "a DRAINING instance accepts no new tasks: leave it out"
    ctx.expect(
        2,
        answer == expected,
        f"{expected}, the remaining CPU units of the ACTIVE instances",
        str(answer),
        hint,
    )


EXERCISES = [
    Exercise("ex1", "Create a tagged cluster", 3, ("workshop_cluster_arn",), check_create_cluster),
    Exercise(
        "ex2", "Register container instances", 4, ("total_cpu_units",), check_container_instances
    ),
    Exercise(
        "ex3",
        "A custom attribute and a query",
        5,
        ("prod_t3_expression",),
        check_attribute_and_query,
    ),
    Exercise("ex4", "Drain an instance", 3, ("drained_instance_arn",), check_drain),
    Exercise(
        "ex5", "Read the remaining capacity", 2, ("free_cpu_units",), check_read_remaining_cpu
    ),
]
