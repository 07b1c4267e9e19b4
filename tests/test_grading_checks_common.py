"""Check helpers shared by several labs (ecs_workbook.grading.checks._common)."""

from __future__ import annotations

from botocore.exceptions import ClientError

from ecs_workbook.grading import answers as answer_codec
from ecs_workbook.grading.checking import CheckContext
from ecs_workbook.grading.checks import _common

CLUSTER_ARN = "arn:aws:ecs:us-east-1:123456789012:cluster/workshop"


class _FakeEcs:
    """describe_task_definition answering with one stored definition, or TaskDefinition not found."""

    def __init__(self, definition: dict | None) -> None:
        self.definition = definition

    def describe_task_definition(self, taskDefinition: str) -> dict:  # noqa: N803 - boto3 name
        if self.definition is None:
            raise ClientError(
                {
                    "Error": {
                        "Code": "ClientException",
                        "Message": "Unable to describe task definition.",
                    }
                },
                "DescribeTaskDefinition",
            )
        return {"taskDefinition": self.definition}


def _ctx(ecs: _FakeEcs | None = None, **values: object) -> CheckContext:
    encoded = {name: answer_codec.encode_answer(value) for name, value in values.items()}
    return CheckContext(encoded, lambda service: ecs, declared=tuple(values))


def _expect_cluster_arn(ctx: CheckContext) -> bool:
    return _common.expect_arn(
        ctx,
        "cluster_arn",
        resource="cluster",
        arn=CLUSTER_ARN,
        resource_name="workshop",
        example="'arn:aws:ecs:...'",
        hint="keep response['cluster']['clusterArn']",
    )


def test_an_arn_answer_equal_to_the_arn_earns_the_point():
    ctx = _ctx(cluster_arn=CLUSTER_ARN)
    assert _expect_cluster_arn(ctx) is True
    assert ctx.items[0].text() == "✔ cluster_arn to be the cluster's ARN"


def test_an_arn_answer_that_is_the_cluster_name_is_told_it_is_the_name():
    ctx = _ctx(cluster_arn="workshop")
    assert _expect_cluster_arn(ctx) is False
    assert ctx.items[0].hint == "that is the cluster's name; keep response['cluster']['clusterArn']"


def test_a_list_answer_with_items_of_another_type_costs_its_points_and_reads_as_empty():
    ctx = _ctx(task_arns=[{"taskArn": "arn:aws:ecs:...:task/lab/1"}])
    value = _common.list_answer(
        ctx,
        "task_arns",
        str,
        items="task ARN strings",
        example="[...]",
        hint="keep task['taskArn']",
        points=1,
    )
    assert value == []
    assert (ctx.items[0].points, ctx.items[0].passed) == (1.0, False)
    assert ctx.items[0].expected == "`task_arns` to be a list of task ARN strings"


def test_the_latest_task_definition_is_none_when_the_family_has_no_revision():
    assert _common.latest_task_definition(_ctx(_FakeEcs(None)), "web") is None


def test_an_inactive_latest_revision_does_not_count_as_the_latest_task_definition():
    """DescribeTaskDefinition of a family names its latest ACTIVE revision.

    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
    """
    inactive = {"family": "web", "revision": 2, "status": "INACTIVE"}
    assert _common.latest_task_definition(_ctx(_FakeEcs(inactive)), "web") is None
    active = {"family": "web", "revision": 2, "status": "ACTIVE"}
    assert _common.latest_task_definition(_ctx(_FakeEcs(active)), "web") == active
