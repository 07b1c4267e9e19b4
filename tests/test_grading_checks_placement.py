"""Labs 04 and 06: placement answers are judged by where the kit's scheduler puts tasks with them.

These checks need no moto state, so they run on plain data in milliseconds; the end-to-end runs of
the labs (solutions full marks, pristine labs zero) are in test_grading_run.py.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-strategies.html
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-placement-constraints.html
"""

from __future__ import annotations

from ecs_workbook.grading import answers as answer_codec
from ecs_workbook.grading.checking import CheckContext, run_check
from ecs_workbook.grading.checks import lab_04, lab_06

SPREAD_AZ = {"type": "spread", "field": "attribute:ecs.availability-zone"}
SPREAD_INSTANCE = {"type": "spread", "field": "instanceId"}
BINPACK_MEMORY = {"type": "binpack", "field": "memory"}
G4DN_FAMILY = {"type": "memberOf", "expression": "attribute:ecs.instance-type =~ g4dn.*"}
DISTINCT = {"type": "distinctInstance"}


def _score(exercise_id: str, **answers) -> tuple[float, list[str]]:
    exercise = next(e for e in lab_06.EXERCISES if e.id == exercise_id)
    encoded = {name: answer_codec.encode_answer(value) for name, value in answers.items()}
    ctx = CheckContext(encoded, lambda service: None, declared=exercise.answers)
    result = run_check(exercise, ctx)
    return result.score, [item.text() for item in result.failed_items()]


def test_the_documented_az_balanced_binpack_preset_meets_the_ex1_goal():
    """strategy-examples.html: spread by zone, then binpack memory."""
    assert _score("ex1", az_packed_strategy=[SPREAD_AZ, BINPACK_MEMORY]) == (4, [])


def test_binpack_before_the_zone_spread_leaves_the_zones_unbalanced():
    score, failed = _score("ex1", az_packed_strategy=[BINPACK_MEMORY, SPREAD_AZ])
    assert score == 2 and "put it first" in failed[0]


def test_az_balanced_spread_balances_zones_but_does_not_pack_inside_them():
    score, failed = _score("ex1", az_packed_strategy=[SPREAD_AZ, SPREAD_INSTANCE])
    assert score == 3 and "binpack" in failed[0]


def test_a_zone_spread_alone_fails_packing_on_some_tie_breaking_seed():
    score, _ = _score("ex1", az_packed_strategy=[SPREAD_AZ])
    assert score == 3


def test_a_sixth_strategy_is_refused_as_ecs_refuses_it():
    score, failed = _score("ex1", az_packed_strategy=[BINPACK_MEMORY] * 6)
    assert score == 0 and "at most 5" in failed[0]


def test_memberof_a_g4dn_pattern_with_distinct_instance_places_one_job_per_gpu_instance():
    assert _score("ex2", gpu_constraints=[G4DN_FAMILY, DISTINCT]) == (3, [])


def test_without_distinct_instance_two_gpu_jobs_share_an_instance():
    score, failed = _score("ex2", gpu_constraints=[G4DN_FAMILY])
    assert score == 2 and "distinctInstance" in failed[0]


def test_an_exact_instance_type_misses_the_other_g4dn_size():
    exact = {"type": "memberOf", "expression": "attribute:ecs.instance-type == g4dn.xlarge"}
    score, failed = _score("ex2", gpu_constraints=[exact, DISTINCT])
    assert score == 2 and "g4dn-2xlarge" in failed[0]


def test_most_free_memory_placements_end_the_same_whichever_tied_instance_is_picked():
    # The m5.large takes four tasks, then two t3.medium tie at 3992 MiB: either may take the fifth,
    # and the free memory left is the same multiset, which is what the lab 04 check compares.
    assert lab_04._greedy_free_memory([7985, 3992, 3992], 1024, 6) == [2968, 2968, 3889]


def test_most_free_memory_placement_stops_when_nothing_fits():
    assert lab_04._greedy_free_memory([1500, 900], 1024, 3) == [476, 900]
