"""What the checks of several labs do alike: read a family's newest revision, judge ARN and list answers.

Each helper records its items with :meth:`CheckContext.expect`, so a lab that uses it gives the
same points and feedback as if it had written the lines itself.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from ecs_workbook.grading.checking import CheckContext


def latest_task_definition(ctx: CheckContext, family: str) -> dict[str, Any] | None:
    """The newest ACTIVE revision of ``family``, or None when there is none.

    A bare family name in DescribeTaskDefinition means the latest ACTIVE revision.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html
    """
    try:
        described = ctx.ecs.describe_task_definition(taskDefinition=family)
    except ClientError:
        return None
    definition = described.get("taskDefinition") or {}
    return definition if definition.get("status", "ACTIVE") == "ACTIVE" else None


def expect_arn(
    ctx: CheckContext,
    answer_name: str,
    *,
    resource: str,
    arn: str,
    resource_name: str,
    example: str,
    hint: str,
    points: float = 1,
) -> bool:
    """Award ``points`` when the answer ``answer_name`` is the ARN of the ``resource``.

    A learner who stored the resource's name instead (``workshop`` for the cluster ARN) is told
    that is its name, before ``hint`` says where the ARN is.
    """
    answer = ctx.answer(answer_name, str, example=example)
    if answer == resource_name:
        hint = f"that is the {resource}'s name; " + hint
    return ctx.expect(
        points,
        answer == arn,
        f"{answer_name} to be the {resource}'s ARN",
        repr(answer),
        hint,
    )


def list_answer(
    ctx: CheckContext,
    name: str,
    item_type: type,
    *,
    items: str,
    example: str,
    hint: str,
    points: float,
) -> list[Any]:
    """The learner's list ``name`` when every item is an ``item_type``, else ``[]``.

    A list with other items costs ``points`` (a failed item: expected a list of ``items``).
    """
    value = ctx.answer(name, list, example=example)
    if not all(isinstance(item, item_type) for item in value):
        ctx.expect(points, False, f"`{name}` to be a list of {items}", repr(value)[:80], hint)
        return []
    return value
