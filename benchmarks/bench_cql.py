"""How fast the cluster query language parses and evaluates (the scheduler's inner loop).

Run: ``.venv/bin/python benchmarks/bench_cql.py``. Prints figures and ratios; asserts nothing.
"""

from __future__ import annotations

import random
import timeit
from datetime import UTC, datetime, timedelta

from ecs_workbook import cql

EXPRESSIONS = [
    "attribute:ecs.instance-type == t2.small",
    "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
    "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d",
    "not(task:group == database)",
    "agentVersion < 1.14.5 or registeredAt < 2018-02-13",
]


def instances(count: int, seed: int = 0) -> list[cql.InstanceFacts]:
    rng = random.Random(seed)
    types = ["t2.small", "t2.medium", "g2.2xlarge", "m5.large"]
    zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]
    start = datetime(2018, 1, 1, tzinfo=UTC)
    return [
        cql.InstanceFacts(
            attributes={
                "ecs.instance-type": rng.choice(types),
                "ecs.availability-zone": rng.choice(zones),
            },
            ec2_instance_id=f"i-{index:08x}",
            registered_at=start + timedelta(hours=rng.randrange(24 * 90)),
            running_tasks_count=rng.randrange(10),
            agent_version=f"1.{rng.randrange(5, 40)}.{rng.randrange(3)}",
            task_groups=frozenset(rng.sample(["database", "service:web", "family:batch"], 1)),
        )
        for index in range(count)
    ]


def main() -> None:
    fleet = instances(10_000)
    repeats = 5
    print(f"{'expression':<90} {'us/instance':>11} {'matched':>8}")
    for text in EXPRESSIONS:
        expression = cql.parse(text)
        seconds = min(
            timeit.repeat(
                lambda e=expression: [e.matches(i) for i in fleet], number=1, repeat=repeats
            )
        )
        matched = sum(expression.matches(i) for i in fleet)
        print(f"{text:<90} {seconds / len(fleet) * 1e6:>11.3f} {matched:>8}")

    text = EXPRESSIONS[2]
    uncached = (
        min(timeit.repeat(lambda: cql._Parser(text).parse(), number=200, repeat=repeats)) / 200
    )
    cached = min(timeit.repeat(lambda: cql.parse(text), number=20_000, repeat=repeats)) / 20_000
    print(
        f"parse uncached: {uncached * 1e6:.1f} us; cached: {cached * 1e6:.3f} us; ratio {uncached / cached:.0f}x"
    )
    per_call = min(
        timeit.repeat(lambda: [cql.matches(text, i) for i in fleet], number=1, repeat=repeats)
    )
    direct = min(
        timeit.repeat(lambda: [cql.parse(text).matches(i) for i in fleet], number=1, repeat=repeats)
    )
    print(
        f"matches(text, facts) over 10,000 instances: {per_call * 1e3:.1f} ms ({per_call / direct:.2f}x parse().matches)"
    )


if __name__ == "__main__":
    main()
