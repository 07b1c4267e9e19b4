"""Tests for the ECS cluster query language (CQL) parser and evaluator."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecs_workbook import cql
from ecs_workbook.cql import And, Comparison, CQLSyntaxError, InstanceFacts, Not, Or, parse

CQL_PAGE = "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html"


def on(instance_type: str = "t2.small", zone: str = "us-east-1a", **fields) -> InstanceFacts:
    """An instance with the two built-in attributes most examples use."""
    attributes = {"ecs.instance-type": instance_type, "ecs.availability-zone": zone}
    attributes.update(fields.pop("attributes", {}))
    return InstanceFacts(attributes=attributes, **fields)


def hosting(*groups: str) -> InstanceFacts:
    return InstanceFacts(task_groups=frozenset(groups))


def error_for(expression: str) -> CQLSyntaxError:
    with pytest.raises(CQLSyntaxError) as caught:
        parse(expression)
    return caught.value


def caret_column(error: CQLSyntaxError) -> int:
    """The 1-based column the caret line points at (both lines are indented by four spaces)."""
    expression_line, caret_line = error.message.splitlines()[1:3]
    assert expression_line == f"    {error.expression}"
    return caret_line.index("^") - 4 + 1


# --- every documented example -----------------------------------------------------------------


def test_string_equality_example_selects_the_named_instance_type():
    """cluster-query-language.html: `attribute:ecs.instance-type == t2.small`."""
    expression = parse("attribute:ecs.instance-type == t2.small")
    assert expression.matches(on("t2.small"))
    assert not expression.matches(on("t2.medium"))


def test_argument_list_example_selects_either_availability_zone():
    """cluster-query-language.html: `attribute:ecs.availability-zone in [us-east-1a, us-east-1b]`."""
    expression = parse("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]")
    assert expression.matches(on(zone="us-east-1a"))
    assert expression.matches(on(zone="us-east-1b"))
    assert not expression.matches(on(zone="us-east-1c"))


def test_compound_example_selects_g2_instances_outside_us_east_1d():
    """cluster-query-language.html: `... =~ g2.* and attribute:ecs.availability-zone != us-east-1d`."""
    expression = parse(
        "attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d"
    )
    assert expression.matches(on("g2.2xlarge", "us-east-1a"))
    assert not expression.matches(on("g2.2xlarge", "us-east-1d"))
    assert not expression.matches(on("t2.small", "us-east-1a"))


def test_task_affinity_example_selects_instances_hosting_the_service_group():
    """cluster-query-language.html: `task:group == service:production`."""
    expression = parse("task:group == service:production")
    assert expression.matches(hosting("service:production", "family:web"))
    assert not expression.matches(hosting("service:staging"))
    assert not expression.matches(hosting())


def test_task_anti_affinity_example_avoids_instances_hosting_the_database_group():
    """cluster-query-language.html: `not(task:group == database)`."""
    expression = parse("not(task:group == database)")
    assert not expression.matches(hosting("database"))
    assert expression.matches(hosting("family:web"))
    assert expression.matches(hosting())


def test_running_task_count_example_selects_instances_running_exactly_one_task():
    """cluster-query-language.html: `runningTasksCount == 1`."""
    expression = parse("runningTasksCount == 1")
    assert expression.matches(InstanceFacts(running_tasks_count=1))
    assert not expression.matches(InstanceFacts(running_tasks_count=0))
    assert not expression.matches(InstanceFacts(running_tasks_count=2))


def test_agent_version_example_selects_agents_older_than_1_14_5():
    """cluster-query-language.html: `agentVersion < 1.14.5` (1.9.0 is older, though "1.9" > "1.1")."""
    expression = parse("agentVersion < 1.14.5")
    assert expression.matches(InstanceFacts(agent_version="1.9.0"))
    assert expression.matches(InstanceFacts(agent_version="1.14.4"))
    assert not expression.matches(InstanceFacts(agent_version="1.14.5"))
    assert not expression.matches(InstanceFacts(agent_version="1.20.0"))


def test_registration_time_example_selects_instances_registered_before_the_date():
    """cluster-query-language.html: `registeredAt < 2018-02-13`."""
    expression = parse("registeredAt < 2018-02-13")
    assert expression.matches(
        InstanceFacts(registered_at=datetime(2018, 2, 12, 23, 59, tzinfo=UTC))
    )
    assert not expression.matches(InstanceFacts(registered_at=datetime(2018, 2, 13, tzinfo=UTC)))


def test_instance_id_example_accepts_a_quoted_argument_list():
    """cluster-query-language.html: `ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']`."""
    expression = parse("ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']")
    assert expression.matches(InstanceFacts(ec2_instance_id="i-wxyx7890"))
    assert not expression.matches(InstanceFacts(ec2_instance_id="i-00000000"))


def test_member_of_example_selects_t2_instances():
    """task-placement-constraints.html: memberOf `attribute:ecs.instance-type =~ t2.*`."""
    expression = parse("attribute:ecs.instance-type =~ t2.*")
    assert expression.matches(on("t2.micro"))
    assert not expression.matches(on("m5.large"))


def test_member_of_example_selects_instances_hosting_databases():
    """task-placement-constraints.html: memberOf `task:group == databases`."""
    assert parse("task:group == databases").matches(hosting("databases"))
    assert not parse("task:group == databases").matches(hosting("web"))


def test_filter_example_selects_g2_2xlarge_instances():
    """task-placement-constraints.html (filtering): `attribute:ecs.instance-type == g2.2xlarge`."""
    assert cql.matches("attribute:ecs.instance-type == g2.2xlarge", on("g2.2xlarge"))
    assert not cql.matches("attribute:ecs.instance-type == g2.2xlarge", on("g2.8xlarge"))


def test_filter_example_selects_the_prod_stack():
    """task-placement-constraints.html (filtering): `attribute:stack == prod`."""
    assert cql.matches("attribute:stack == prod", InstanceFacts({"stack": "prod"}))
    assert not cql.matches("attribute:stack == prod", InstanceFacts({"stack": "dev"}))


def test_filter_example_not_prod_selects_only_instances_that_have_a_stack():
    """task-placement-constraints.html (filtering): `attribute:stack != prod` lists instances
    that have a stack other than prod (ecs-facts section 11 item 8)."""
    assert cql.matches("attribute:stack != prod", InstanceFacts({"stack": "dev"}))
    assert not cql.matches("attribute:stack != prod", InstanceFacts({"stack": "prod"}))
    assert not cql.matches("attribute:stack != prod", InstanceFacts({}))


def test_filter_example_selects_either_t2_size():
    """task-placement-constraints.html (filtering): `... in [t2.small, t2.medium]`."""
    expression = parse("attribute:ecs.instance-type in [t2.small, t2.medium]")
    assert expression.matches(on("t2.medium"))
    assert not expression.matches(on("t2.large"))


def test_filter_example_selects_t2_instances_in_us_east_1a():
    """task-placement-constraints.html (filtering):
    `attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a`."""
    expression = parse(
        "attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a"
    )
    assert expression.matches(on("t2.small", "us-east-1a"))
    assert not expression.matches(on("t2.small", "us-east-1b"))
    assert not expression.matches(on("m5.large", "us-east-1a"))


# --- operators: both spellings, each meaning ---------------------------------------------------

SPELLINGS = [
    ("==", "equals"),
    ("!=", "not_equals"),
    (">", "greater_than"),
    (">=", "greater_than_equal"),
    ("<", "less_than"),
    ("<=", "less_than_equal"),
    ("=~", "matches"),
    ("!~", "not_matches"),
]


@pytest.mark.parametrize(("symbol", "word"), SPELLINGS)
def test_word_form_of_each_value_operator_parses_like_its_symbol(symbol, word):
    """cluster-query-language.html lists every operator as a symbol and a word."""
    assert parse(f"attribute:size {word} 4") == parse(f"attribute:size {symbol} 4")
    assert parse(f"attribute:size {word} 4").operator == symbol


@pytest.mark.parametrize(("symbol", "word"), [("!exists", "not_exists"), ("!in", "not_in")])
def test_negated_operators_have_a_bang_and_a_not_form(symbol, word):
    argument = " [a]" if "in" in symbol else ""
    assert parse(f"attribute:stack {word}{argument}") == parse(
        f"attribute:stack {symbol}{argument}"
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("attribute:size == 4", [False, True, False]),
        ("attribute:size != 4", [True, False, True]),
        ("attribute:size > 4", [False, False, True]),
        ("attribute:size >= 4", [False, True, True]),
        ("attribute:size < 4", [True, False, False]),
        ("attribute:size <= 4", [True, True, False]),
        ("attribute:size in [2, 16]", [True, False, True]),
        ("attribute:size !in [2, 16]", [False, True, False]),
        ("attribute:size =~ 1.*", [False, False, True]),
        ("attribute:size !~ 1.*", [True, True, False]),
        ("attribute:size exists", [True, True, True]),
        ("attribute:size !exists", [False, False, False]),
    ],
)
def test_each_operator_compares_an_attribute_value(expression, expected):
    sizes = [InstanceFacts({"size": size}) for size in ("2", "4", "16")]
    assert [parse(expression).matches(instance) for instance in sizes] == expected


def test_exists_tells_instances_with_the_attribute_from_those_without():
    assert cql.matches("attribute:stack exists", InstanceFacts({"stack": "prod"}))
    assert not cql.matches("attribute:stack exists", InstanceFacts({}))
    assert cql.matches("attribute:stack not_exists", InstanceFacts({}))


@pytest.mark.parametrize(
    "expression",
    ["attribute:stack == prod", "attribute:stack != prod", "attribute:stack !in [prod]",
     "attribute:stack !~ p.*", "attribute:stack > a", "attribute:stack < z"],
)  # fmt: skip
def test_comparisons_on_a_missing_attribute_are_false(expression):
    """ecs-facts section 11 item 8: only instances that have the attribute are compared."""
    assert not cql.matches(expression, InstanceFacts({}))


def test_not_of_equality_does_match_an_instance_without_the_attribute():
    assert cql.matches("not(attribute:stack == prod)", InstanceFacts({}))


# --- comparisons by subject --------------------------------------------------------------------


def test_attribute_ordering_compares_numbers_as_numbers():
    assert cql.matches("attribute:gpus > 9", InstanceFacts({"gpus": "10"}))
    assert cql.matches("attribute:gpus < 2.5", InstanceFacts({"gpus": "2"}))


def test_attribute_ordering_compares_text_as_text():
    assert cql.matches("attribute:tier > alpha", InstanceFacts({"tier": "beta"}))
    assert not cql.matches("attribute:tier > beta", InstanceFacts({"tier": "alpha"}))
    assert cql.matches("attribute:tier > 10", InstanceFacts({"tier": "x"}))  # "x" > "10"


def test_attribute_equality_is_string_equality_even_for_numbers():
    """cluster-query-language.html: `==` is "String equality"."""
    assert not cql.matches("attribute:gpus == 1.0", InstanceFacts({"gpus": "1"}))


@pytest.mark.parametrize(
    ("expression", "version", "expected"),
    [
        ("agentVersion > 1.9.0", "1.14.5", True),
        ("agentVersion >= 1.14.5", "1.14.5", True),
        ("agentVersion <= 1.14.5", "1.14.6", False),
        ("agentVersion == 1.14", "1.14.0", True),
        ("agentVersion != 1.14.0", "1.14", False),
        ("agentVersion > 1.2", "1.10.0", True),
    ],
)
def test_agent_version_compares_as_version_numbers(expression, version, expected):
    assert cql.matches(expression, InstanceFacts(agent_version=version)) is expected


def test_agent_version_without_digits_matches_no_version_comparison():
    assert not cql.matches("agentVersion < 9.0.0", InstanceFacts(agent_version="unknown"))


@pytest.mark.parametrize(
    "argument",
    ["2018-06-18T22:28:28+00:00", "2018-06-18T22:28:28Z", "2018-06-18T22:28:28",
     "2018-06-18T23:28:28+01:00"],
)  # fmt: skip
def test_registered_at_accepts_each_documented_timestamp_format(argument):
    """cluster-query-language.html: valid formats 2018-06-18T22:28:28+00:00, ...Z, no zone."""
    registered = datetime(2018, 6, 18, 22, 28, 28, 500_000, tzinfo=UTC)
    assert cql.matches(f"registeredAt == {argument}", InstanceFacts(registered_at=registered))
    assert not cql.matches(
        f"registeredAt == {argument}",
        InstanceFacts(registered_at=registered + timedelta(seconds=1)),
    )


def test_registered_at_with_a_date_compares_the_utc_day():
    """cluster-query-language.html: the date-only format 2018-06-18."""
    late_evening = InstanceFacts(registered_at=datetime(2018, 6, 18, 23, 30, tzinfo=UTC))
    assert cql.matches("registeredAt == 2018-06-18", late_evening)
    assert not cql.matches("registeredAt > 2018-06-18", late_evening)
    assert cql.matches("registeredAt >= 2018-06-18", late_evening)
    east = InstanceFacts(
        registered_at=datetime(2018, 6, 19, 1, 0, tzinfo=timezone(timedelta(hours=3)))
    )
    assert cql.matches("registeredAt == 2018-06-18", east)


def test_registered_at_treats_a_naive_registration_time_as_utc():
    naive = InstanceFacts(registered_at=datetime(2018, 6, 18, 22, 28, 28))
    assert cql.matches("registeredAt == 2018-06-18T22:28:28Z", naive)


def test_running_tasks_count_compares_numerically():
    assert cql.matches("runningTasksCount > 9", InstanceFacts(running_tasks_count=10))
    assert cql.matches("runningTasksCount less_than 3", InstanceFacts(running_tasks_count=2))


def test_agent_connected_compares_true_and_false():
    assert cql.matches("agentConnected == false", InstanceFacts(agent_connected=False))
    assert not cql.matches("agentConnected == false", InstanceFacts(agent_connected=True))
    assert cql.matches("agentConnected in [true]", InstanceFacts(agent_connected=True))
    assert cql.matches("agentConnected =~ t.*", InstanceFacts(agent_connected=True))


def test_ec2_instance_id_matches_a_pattern():
    assert cql.matches("ec2InstanceId =~ i-0abc.*", InstanceFacts(ec2_instance_id="i-0abc123"))
    assert cql.matches("ec2InstanceId !~ i-0abc.*", InstanceFacts(ec2_instance_id="i-9"))


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("task:group != database", [True, False, True]),
        ("task:group in [database, cache]", [False, True, False]),
        ("task:group !in [database, cache]", [True, False, True]),
        ("task:group =~ service:.*", [True, False, False]),
        ("task:group !~ service:.*", [False, True, True]),
        ("task:group exists", [True, True, False]),
        ("task:group !exists", [False, False, True]),
    ],
)
def test_task_group_asks_about_the_set_of_groups_on_the_instance(expression, expected):
    instances = [hosting("service:web"), hosting("database", "family:batch"), hosting()]
    assert [parse(expression).matches(instance) for instance in instances] == expected


# --- regular expressions -------------------------------------------------------------------------


def test_matches_requires_the_whole_value_to_match_like_java_pattern_matches():
    """ecs-facts section 11 item 9: decided as java.util.regex Pattern.matches (full match)."""
    assert not cql.matches("attribute:ecs.instance-type =~ t2", on("t2.small"))
    assert not cql.matches("attribute:ecs.instance-type =~ small", on("t2.small"))
    assert cql.matches("attribute:ecs.instance-type =~ .*small", on("t2.small"))


def test_unquoted_dot_in_a_pattern_matches_any_character_as_in_java():
    assert cql.matches("attribute:ecs.instance-type =~ t2.*", on("t2xlarge"))
    assert not cql.matches("attribute:ecs.instance-type =~ 't2\\..*'", on("t2xlarge"))


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        (r"\Qt2.small\E", "t2.small", True),
        (r"\Qt2.small\E", "t2xsmall", False),
        (r"\p{Lower}+\d", "ab1", True),
        (r"\p{Upper}+", "ab", False),
        (r"[\p{Digit}x]+", "1x2", True),
        (r"\P{Digit}+", "abc", True),
        (r"(?<family>[a-z]+)\d\.\k<family>", "m5.m", True),
        (r"(?i)T2\..*", "t2.small", True),
        (r"\w+", "é", False),
        (r"a*+a", "aaa", False),
        (r"prod\z", "prod", True),
    ],
)
def test_java_regex_syntax_is_translated(pattern, value, expected):
    """cluster-query-language.html: matches takes java.util.regex.Pattern syntax."""
    assert cql.matches(f"attribute:x =~ '{pattern}'", InstanceFacts({"x": value})) is expected


@pytest.mark.parametrize("pattern", ["t2[", "*a", "[a-z&&[^b]]", r"\p{InGreek}"])
def test_an_unusable_regex_is_rejected_at_the_pattern(pattern):
    error = error_for(f"attribute:x =~ '{pattern}'")
    assert error.column == 16
    assert "Java regular expression" in error.message


# --- grammar: precedence, parentheses, spelling ----------------------------------------------------

A = Comparison("attribute:a", "exists")
B = Comparison("attribute:b", "exists")
C = Comparison("attribute:c", "exists")


def test_and_binds_tighter_than_or():
    assert parse("attribute:a exists or attribute:b exists and attribute:c exists") == Or(
        (A, And((B, C)))
    )


def test_not_binds_tighter_than_and():
    assert parse("not attribute:a exists and attribute:b exists") == And((Not(A), B))


def test_parentheses_override_precedence():
    """cluster-query-language.html: `(expression1 or expression2) and expression3`."""
    assert parse("(attribute:a exists or attribute:b exists) and attribute:c exists") == And(
        (Or((A, B)), C)
    )


def test_symbol_connectives_mean_the_same_as_words():
    words = parse("not attribute:a exists and attribute:b exists or attribute:c exists")
    assert parse("!attribute:a exists && attribute:b exists || attribute:c exists") == words


def test_operators_need_no_surrounding_spaces():
    assert parse("runningTasksCount>=2&&attribute:a!=b") == parse(
        "runningTasksCount >= 2 and attribute:a != b"
    )


def test_quoted_value_may_hold_spaces_and_brackets():
    assert cql.matches('attribute:team == "data [eu]"', InstanceFacts({"team": "data [eu]"}))


def test_double_not_is_allowed():
    assert cql.matches("not not attribute:a exists", InstanceFacts({"a": "1"}))


def test_str_gives_a_normalised_expression():
    expression = parse("not(attribute:team equals 'data eng') && task:group not_in [a,b]")
    assert str(expression) == "not (attribute:team == 'data eng') and task:group !in [a, b]"


def test_parse_is_cached_for_the_same_text():
    assert parse("attribute:cached == yes") is parse("attribute:cached == yes")


def test_instance_facts_can_be_built_from_attributes_only():
    facts = InstanceFacts({"stack": "prod"})
    assert (facts.running_tasks_count, facts.agent_connected, facts.task_groups) == (
        0,
        True,
        frozenset(),
    )


# --- errors: what, where, what to try --------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "column", "expected_text"),
    [
        ("", 1, "expected a subject, found the end of the expression"),
        ("stack == prod", 1, "expected a subject, found 'stack'"),
        ("attribute:stack prod", 17, "expected an operator after 'attribute:stack'"),
        ("attribute:stack =", 17, "expected an operator"),
        ("attribute:stack ==", 19, "expected a value after '==', found the end"),
        ("attribute:stack == (prod)", 20, "expected a value after '=='"),
        ("attribute:stack == prod eu", 25, "expected 'and', 'or' or the end"),
        ("attribute:stack == 'prod", 20, "has no closing '"),
        ("attribute:stack in prod", 20, "expected '[' to start the argument list of 'in'"),
        ("attribute:stack in [a, ]", 24, "expected a value after 'in', found ']'"),
        ("attribute:stack in [a b]", 23, "expected ',' or ']', found 'b'"),
        ("attribute:stack in []", 21, "expected a value"),
        ("(attribute:stack exists", 24, "')' to close the '(' at column 1"),
        ("attribute:stack exists)", 23, "expected 'and', 'or' or the end of the expression"),
        ("attribute:stack exists and", 27, "expected a subject"),
        ("attribute: == a", 11, "an attribute name is 1-128"),
        ("not", 4, "expected a subject"),
    ],
)
def test_malformed_expression_error_points_at_the_column(expression, column, expected_text):
    error = error_for(expression)
    assert error.column == column
    assert expected_text in error.message
    assert caret_column(error) == column


@pytest.mark.parametrize(
    ("expression", "subject"),
    [
        ("agentVersion in [1.0.0]", "agentVersion"),
        ("agentVersion =~ 1.*", "agentVersion"),
        ("registeredAt in [2018-01-01]", "registeredAt"),
        ("runningTasksCount exists", "runningTasksCount"),
        ("ec2InstanceId > i-1", "ec2InstanceId"),
        ("agentConnected >= true", "agentConnected"),
        ("task:group > a", "task:group"),
    ],
)
def test_operator_a_subject_does_not_allow_is_rejected_naming_the_allowed_ones(expression, subject):
    """cluster-query-language.html lists the valid operators of each subject."""
    error = error_for(expression)
    assert f"{subject} does not support the operator" in error.message
    assert "It allows: == (equals), != (not_equals)" in error.message
    assert error.column == len(subject) + 2


@pytest.mark.parametrize(
    ("expression", "column", "hint"),
    [
        ("agentVersion < latest", 16, "agentVersion takes a version number"),
        ("registeredAt < 13/02/2018", 16, "2018-06-18T22:28:28Z"),
        ("registeredAt < 2018-02-30", 16, "2018-06-18"),
        ("runningTasksCount > -1", 21, "whole number"),
        ("agentConnected in [true, yes]", 26, "true or false"),
    ],
)
def test_argument_a_subject_cannot_compare_with_is_rejected_at_the_argument(
    expression, column, hint
):
    error = error_for(expression)
    assert error.column == column
    assert hint in error.message


def test_syntax_error_is_a_value_error_with_a_caret_line_and_a_hint():
    error = error_for("attribute:stack == prod eu")
    assert isinstance(error, ValueError)
    assert isinstance(error, cql.CQLError)
    assert error.message == str(error)
    assert error.message.splitlines()[1:3] == [
        "    attribute:stack == prod eu",
        "                            ^",
    ]
    assert "Quote a value" in error.message


def test_unknown_subject_error_lists_the_subjects():
    assert "agentConnected, agentVersion, ec2InstanceId" in error_for("instanceType == a").message


# --- round trip ------------------------------------------------------------------------------------

_bare = st.from_regex(r"[a-z0-9][a-z0-9.:\-*]{0,8}", fullmatch=True)
_quoted = st.text(alphabet="ab ()[],=!&|<>~'", min_size=0, max_size=6).filter(
    lambda text: "'" not in text
)
_values = st.one_of(_bare, _quoted.map(lambda text: f"'{text}'"))
_patterns = st.sampled_from(["t2.*", "'us-east-1[ab]'", "'(a|b) c'", r"'\Qx.y\E'", ".*"])
_names = st.from_regex(r"[a-z][a-z0-9.\-_/]{0,10}", fullmatch=True)
_spelling = st.sampled_from([0, 1])


@st.composite
def comparisons(draw) -> str:
    subject = "attribute:" + draw(_names)
    spellings = draw(st.sampled_from(SPELLINGS + [("exists", "exists"), ("!exists", "not_exists")]))
    operator = spellings[draw(_spelling)]
    if "exists" in operator:
        return f"{subject} {operator}"
    if spellings[0] in ("=~", "!~"):
        return f"{subject} {operator} {draw(_patterns)}"
    if draw(st.booleans()):
        items = draw(st.lists(_values, min_size=1, max_size=3))
        return f"{subject} {draw(st.sampled_from(['in', '!in', 'not_in']))} [{','.join(items)}]"
    return f"{subject} {operator} {draw(_values)}"


expressions = st.recursive(
    comparisons(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from([" and ", " && ", " or ", " || "]), inner).map("".join),
        inner.map(lambda text: f"not ({text})"),
        inner.map(lambda text: f"!({text})"),
        inner.map(lambda text: f"({text})"),
    ),
    max_leaves=6,
)


@settings(max_examples=150, deadline=None)
@given(expressions)
def test_normalised_text_parses_back_to_the_same_expression(text):
    expression = parse(text)
    assert parse(str(expression)) == expression
    assert str(parse(str(expression))) == str(expression)


def test_regex_translation_rejects_unsupported_java_intersections_with_a_clear_reason():
    message = error_for("attribute:x =~ '[a-z&&[^b]]'").message
    assert re.search(r"nested classes and && inside \[\.\.\.\] are not supported", message)
