"""Capacity provider strategies: how ECS splits tasks between providers by ``base`` and ``weight``.

A capacity provider strategy is a list of ``{"capacityProvider", "base", "weight"}`` items, given
to RunTask/CreateService or set as a cluster's default. ECS first puts ``base`` tasks on the one
provider that sets a base, then shares the rest out in proportion to the weights: with weights
1 and 4, "for every 1 task on A, 4 tasks will run on B" ([API] CapacityProviderStrategyItem).

How ECS rounds when the rest does not divide exactly is not documented (ecs-facts.md section
4.1). The kit gives each provider the whole part of its exact share, then hands the leftover
tasks to the largest fractional parts, ties going to the provider listed first (the
largest-remainder rule). Every documented example comes out exactly, and no provider ends up a
whole task away from its exact share **(derived)**.

Also not settled by the docs: the API text says a weight-0 provider "cannot place tasks" in a
multi-provider strategy, yet also that base tasks are placed on the base provider. The kit gives
a base provider its base tasks whatever its weight, and nothing more when its weight is 0.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-capacity-providers.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

__all__ = [
    "BASE_RANGE",
    "MAX_PROVIDERS",
    "WEIGHT_RANGE",
    "CapacityProviderStrategyError",
    "plot_split",
    "split_by_strategy",
    "validate_strategy",
]

#: At most 20 capacity providers in one strategy. API_CapacityProviderStrategyItem.html
MAX_PROVIDERS = 20
#: ``base``: 0 to 100,000 tasks; ``weight``: 0 to 1,000. API_CapacityProviderStrategyItem.html
BASE_RANGE = (0, 100_000)
WEIGHT_RANGE = (0, 1_000)


class CapacityProviderStrategyError(ValueError):
    """A strategy ECS would reject (RunTask/CreateService answer InvalidParameterException)."""


def validate_strategy(strategy: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every reason ECS would reject this capacity provider strategy ([] if none).

    Rules from the API reference: 1 to 20 providers, each named once; ``base`` 0-100,000 and
    set (above 0) on at most one provider; ``weight`` 0-1,000; with several providers at least
    one weight above 0. The wording is the kit's (ECS's exact messages are not published).
    """
    problems: list[str] = []
    if not strategy:
        return ["The capacity provider strategy is empty; name at least one capacity provider."]
    if len(strategy) > MAX_PROVIDERS:
        problems.append(
            f"The strategy names {len(strategy)} capacity providers; at most {MAX_PROVIDERS} "
            "are allowed."
        )
    names = [str(item.get("capacityProvider") or "") for item in strategy]
    if any(not name for name in names):
        problems.append("Every strategy item needs a capacityProvider name.")
    duplicates = sorted({name for name in names if name and names.count(name) > 1})
    if duplicates:
        problems.append(f"Capacity providers appear more than once: {', '.join(duplicates)}.")
    for item, name in zip(strategy, names, strict=True):
        for key, (low, high) in (("base", BASE_RANGE), ("weight", WEIGHT_RANGE)):
            value = item.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                problems.append(
                    f"{key} of capacity provider {name or '?'} is {value!r}; it must be a whole "
                    f"number from {low} to {high:,}."
                )
    with_base = [name for item, name in zip(strategy, names, strict=True) if _base(item) > 0]
    if len(with_base) > 1:
        problems.append(
            f"Only one capacity provider in a strategy can have a base; {', '.join(with_base)} "
            "all set one."
        )
    if len(strategy) > 1 and not any(_weight(item) > 0 for item in strategy):
        problems.append(
            "Every capacity provider has weight 0, so none can place tasks; give at least one a "
            "weight above 0."
        )
    return problems


def split_by_strategy(strategy: Sequence[Mapping[str, Any]], count: int) -> dict[str, int]:
    """How many of ``count`` tasks each capacity provider gets, in strategy order.

    ``base`` tasks go first to the provider that sets a base; the rest follow the weights.
    Example (two providers, weights 1 and 4, 10 tasks): ``{"A": 2, "B": 8}``.
    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise CapacityProviderStrategyError(f"count must be a whole number >= 0 (got {count!r}).")
    problems = validate_strategy(strategy)
    if problems:
        raise CapacityProviderStrategyError(" ".join(problems))
    split = {str(item["capacityProvider"]): 0 for item in strategy}
    if len(strategy) == 1:
        split[str(strategy[0]["capacityProvider"])] = count
        return split
    remaining = count
    for item in strategy:
        base_tasks = min(_base(item), remaining)
        split[str(item["capacityProvider"])] += base_tasks
        remaining -= base_tasks
    weights = {str(item["capacityProvider"]): _weight(item) for item in strategy}
    total_weight = sum(weights.values())
    shares = {name: Fraction(remaining * weight, total_weight) for name, weight in weights.items()}
    for name, share in shares.items():
        split[name] += int(share)
    leftover = remaining - sum(int(share) for share in shares.values())
    order = list(shares)
    by_fraction = sorted(order, key=lambda name: (-(shares[name] % 1), order.index(name)))
    for name in by_fraction[:leftover]:
        split[name] += 1
    return split


def _base(item: Mapping[str, Any]) -> int:
    return int(item.get("base") or 0)


def _weight(item: Mapping[str, Any]) -> int:
    return int(item.get("weight") or 0)


def plot_split(strategy: Sequence[Mapping[str, Any]], max_tasks: int = 20) -> Any:
    """Stacked bars: how :func:`split_by_strategy` shares 1..``max_tasks`` tasks out.

    Shows the base filling first and the weights taking over after it.
    """
    from matplotlib.ticker import MaxNLocator

    from ecs_workbook.plots import new_figure

    counts = list(range(1, max_tasks + 1))
    splits = [split_by_strategy(strategy, count) for count in counts]
    fig, ax = new_figure(figsize=(8, 3.5))
    bottom = [0] * len(counts)
    for item in strategy:
        name = str(item["capacityProvider"])
        heights = [split[name] for split in splits]
        label = f"{name} (base {_base(item)}, weight {_weight(item)})"
        ax.bar(counts, heights, bottom=bottom, label=label)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set(
        title="How a capacity provider strategy shares out tasks",
        xlabel="tasks launched (count)",
        ylabel="tasks per capacity provider",
    )
    ax.set_xticks(counts)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left")
    return fig
