"""Capacity provider strategies split tasks by base, then weight, as ECS documents.

https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_CapacityProviderStrategyItem.html
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecs_workbook.capacity import (
    CapacityProviderStrategyError,
    split_by_strategy,
    validate_strategy,
)


def test_equal_weights_split_the_tasks_evenly():
    """Documented example: two providers with weight 1 split tasks evenly."""
    strategy = [{"capacityProvider": "A", "weight": 1}, {"capacityProvider": "B", "weight": 1}]
    assert split_by_strategy(strategy, 10) == {"A": 5, "B": 5}


def test_weights_1_and_4_run_four_tasks_on_b_for_every_task_on_a():
    """Documented example: weight 1 on A and 4 on B -> for every task on A, four on B."""
    strategy = [{"capacityProvider": "A", "weight": 1}, {"capacityProvider": "B", "weight": 4}]
    assert split_by_strategy(strategy, 10) == {"A": 2, "B": 8}


def test_base_is_satisfied_before_the_weights_share_out_the_rest():
    strategy = [
        {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
    ]
    assert split_by_strategy(strategy, 10) == {"FARGATE": 4, "FARGATE_SPOT": 6}


def test_fewer_tasks_than_the_base_all_go_to_the_base_provider():
    strategy = [
        {"capacityProvider": "FARGATE", "base": 5, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 1},
    ]
    assert split_by_strategy(strategy, 3) == {"FARGATE": 3, "FARGATE_SPOT": 0}


def test_a_weight_zero_provider_gets_its_base_and_nothing_more():
    strategy = [
        {"capacityProvider": "on-demand", "base": 2, "weight": 0},
        {"capacityProvider": "spot", "weight": 1},
    ]
    assert split_by_strategy(strategy, 6) == {"on-demand": 2, "spot": 4}


def test_a_single_provider_takes_every_task_even_with_weight_zero():
    assert split_by_strategy([{"capacityProvider": "FARGATE"}], 7) == {"FARGATE": 7}


def test_leftover_tasks_go_to_the_largest_fractional_share_first_listed_on_ties():
    strategy = [{"capacityProvider": "A", "weight": 1}, {"capacityProvider": "B", "weight": 1}]
    assert split_by_strategy(strategy, 3) == {"A": 2, "B": 1}


def test_only_one_provider_may_set_a_base():
    strategy = [
        {"capacityProvider": "A", "base": 1, "weight": 1},
        {"capacityProvider": "B", "base": 1, "weight": 1},
    ]
    assert any("Only one capacity provider" in p for p in validate_strategy(strategy))


def test_a_strategy_whose_providers_all_weigh_zero_is_rejected():
    strategy = [{"capacityProvider": "A"}, {"capacityProvider": "B"}]
    with pytest.raises(CapacityProviderStrategyError, match="weight above 0"):
        split_by_strategy(strategy, 4)


def test_more_than_twenty_providers_are_rejected():
    strategy = [{"capacityProvider": f"p{i}", "weight": 1} for i in range(21)]
    assert any("at most 20" in p for p in validate_strategy(strategy))


def test_weights_above_1000_are_rejected():
    problems = validate_strategy([{"capacityProvider": "A", "weight": 1001}])
    assert problems == [
        "weight of capacity provider A is 1001; it must be a whole number from 0 to 1,000."
    ]


_items = st.lists(st.tuples(st.integers(0, 5), st.integers(1, 10)), min_size=1, max_size=5).map(
    lambda pairs: [
        {"capacityProvider": f"p{i}", "weight": weight, **({"base": base} if i == 0 else {})}
        for i, (base, weight) in enumerate(pairs)
    ]
)


@given(_items, st.integers(0, 200))
def test_every_task_is_placed_and_each_share_is_within_one_task_of_its_weight(strategy, count):
    split = split_by_strategy(strategy, count)
    assert sum(split.values()) == count
    base = min(strategy[0].get("base", 0), count) if len(strategy) > 1 else 0
    rest = count - base
    total_weight = sum(item["weight"] for item in strategy)
    for index, item in enumerate(strategy):
        got = split[item["capacityProvider"]] - (base if index == 0 else 0)
        if len(strategy) > 1:
            assert abs(got - rest * item["weight"] / total_weight) < 1


def test_leftover_tasks_follow_the_largest_fractional_share():
    """Weights 1, 1, 4 over 3 tasks: exact shares 0.5, 0.5, 2 -> 1, 0, 2."""
    strategy = [
        {"capacityProvider": "A", "weight": 1},
        {"capacityProvider": "B", "weight": 1},
        {"capacityProvider": "C", "weight": 4},
    ]
    assert split_by_strategy(strategy, 3) == {"A": 1, "B": 0, "C": 2}


def test_the_split_plot_has_a_title_labelled_axes_and_a_legend():
    from ecs_workbook.capacity import plot_split
    from ecs_workbook.plots import figure_problems

    strategy = [
        {"capacityProvider": "FARGATE", "base": 2, "weight": 1},
        {"capacityProvider": "FARGATE_SPOT", "weight": 3},
    ]
    assert figure_problems(plot_split(strategy, max_tasks=10)) == []
