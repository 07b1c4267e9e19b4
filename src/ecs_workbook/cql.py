"""The ECS cluster query language (CQL): parse an expression once, evaluate it on many instances.

ECS uses CQL in ``memberOf`` placement constraints and in ``ListContainerInstances(filter=...)``;
moto ignores both, so the kit evaluates them itself. Syntax and examples:
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html

Grammar (EBNF; ``not``/``!`` binds tightest, then ``and``/``&&``, then ``or``/``||``)::

    expression = and_expr , { ( "or" | "||" ) , and_expr } ;
    and_expr   = not_expr , { ( "and" | "&&" ) , not_expr } ;
    not_expr   = ( "not" | "!" ) , not_expr | "(" , expression , ")" | comparison ;
    comparison = subject , ( presence_op | value_op , value | list_op , list ) ;
    subject    = "attribute:" , name | "agentConnected" | "agentVersion" | "ec2InstanceId"
               | "registeredAt" | "runningTasksCount" | "task:group" ;
    presence_op = "exists" | "!exists" | "not_exists" ;
    value_op   = "==" | "equals" | "!=" | "not_equals" | ">" | "greater_than"
               | ">=" | "greater_than_equal" | "<" | "less_than" | "<=" | "less_than_equal"
               | "=~" | "matches" | "!~" | "not_matches" ;
    list_op    = "in" | "!in" | "not_in" ;
    list       = "[" , value , { "," , value } , "]" ;
    value      = bare_word | "'" , { any char but "'" } , "'" | '"' , { any char but '"' } , '"' ;

A bare word runs until whitespace, one of ``()[],'"`` or an operator symbol, so ``t2.*`` and
``2018-06-18T22:28:28+00:00`` need no quotes; a value with spaces, parentheses, brackets or commas
must be quoted (the docs: "a single expression can't contain parentheses"). Quotes have no escapes.
Keywords and subjects are case-sensitive, spelled as in the docs.

Semantics the docs leave open, decided here (ecs-facts.md section 11 lists the ambiguities):

- ``=~``/``!~`` use Java ``Pattern.matches``: the whole value must match (the documented patterns
  ``t2.*``, ``g2.*`` end in ``.*``, which only makes sense for a full match). ``\\w \\d \\s`` are
  ASCII as in Java; ``\\Q..\\E``, ``\\p{Lower}``-style POSIX classes, ``\\z``, ``\\Z``,
  ``(?<name>..)`` and ``\\k<name>`` are translated; nested classes and ``&&`` inside a class are
  rejected with an error.
- A comparison on an attribute the instance lacks is false, ``!=``/``!in``/``!~`` included (the
  docs list ``attribute:stack != prod`` as instances that *have* ``stack``); only ``!exists`` holds.
- ``>``/``<`` on attributes compare numbers when both sides are numbers, otherwise strings
  (code-point order, as Java ``String.compareTo`` for these characters). UNCONFIRMED.
- ``agentVersion`` compares as version numbers (``1.14.5 > 1.9.0``, ``1.14 == 1.14.0``).
- ``registeredAt`` compares at the precision of the argument: a date compares the UTC day, a
  timestamp the second; a timestamp without an offset, and a naive ``registered_at``, are UTC.
- ``task:group`` looks at the set of groups on the instance: ``== x`` hosts a task of group x,
  ``!= x`` hosts none, ``in``/``=~`` any group matches, ``exists`` hosts any task. The docs list no
  operators for it; ordering (``>``...) has no meaning for a set and is rejected. UNCONFIRMED.
"""

from __future__ import annotations

import operator as _op
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import ClassVar

__all__ = [
    "And", "CQLError", "CQLSyntaxError", "Comparison", "Expression", "InstanceFacts", "Not", "Or",
    "matches", "parse",
]  # fmt: skip

_EQUALITY, _ORDERING = ("==", "!="), (">", ">=", "<", "<=")
_MEMBERSHIP, _PATTERN, _PRESENCE = ("in", "!in"), ("=~", "!~"), ("exists", "!exists")
_WORD_FORMS = {"==": "equals", "!=": "not_equals", ">": "greater_than", ">=": "greater_than_equal",
               "<": "less_than", "<=": "less_than_equal", "exists": "exists",
               "!exists": "not_exists", "in": "in", "!in": "not_in", "=~": "matches",
               "!~": "not_matches"}  # fmt: skip
_SPELLINGS = {**{op: op for op in _WORD_FORMS}, **{word: op for op, word in _WORD_FORMS.items()}}
_ALLOWED_OPERATORS = {  # "Valid operators" per subject in cluster-query-language.html
    "agentConnected": _EQUALITY + _MEMBERSHIP + _PATTERN,
    "agentVersion": _EQUALITY + _ORDERING,
    "attribute": _EQUALITY + _ORDERING + _PRESENCE + _MEMBERSHIP + _PATTERN,
    "ec2InstanceId": _EQUALITY + _MEMBERSHIP + _PATTERN,
    "registeredAt": _EQUALITY + _ORDERING,
    "runningTasksCount": _EQUALITY + _ORDERING,
    "task:group": _EQUALITY + _MEMBERSHIP + _PATTERN + _PRESENCE,  # not listed: the kit's choice
}
_SUBJECTS_HINT = (
    "Subjects are attribute:<name> (e.g. attribute:ecs.instance-type), agentConnected, "
    "agentVersion, ec2InstanceId, registeredAt, runningTasksCount and task:group."
)
_QUOTE_HINT = "Quote a value that contains spaces, parentheses, brackets or commas: 'like this'."
_ATTRIBUTE_NAME = re.compile(r"[A-Za-z0-9_\-/\\.]{1,128}")
_NUMBER = re.compile(r"[+-]?\d+(\.\d+)?")
_VERSION = re.compile(r"\d+(\.\d+)*")
_DATE_FORMATS = ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d")
_COMPARE = {"==": _op.eq, "!=": _op.ne, ">": _op.gt, ">=": _op.ge, "<": _op.lt, "<=": _op.le}


class CQLError(ValueError):
    """A cluster query expression ECS would reject (an InvalidParameterException in the API)."""


class CQLSyntaxError(CQLError):
    """A malformed expression; ``message`` names the column, shows a caret and says what to try."""

    def __init__(self, expression: str, offset: int, reason: str, hint: str = "") -> None:
        self.expression, self.column, self.reason = expression, offset + 1, reason
        shown = expression.replace("\t", " ").replace("\n", " ").replace("\r", " ")
        self.message = (
            f"Invalid cluster query expression: {reason} (column {self.column}).\n"
            f"    {shown}\n    {' ' * offset}^" + (f"\n{hint}" if hint else "")
        )
        super().__init__(self.message)


@dataclass(frozen=True, slots=True)
class InstanceFacts:
    """What CQL can ask about one container instance (one field per subject of the language).

    The defaults describe a connected instance with no tasks, so a caller can give only attributes.
    """

    attributes: dict[str, str] = field(default_factory=dict)
    ec2_instance_id: str = ""
    registered_at: datetime = datetime(1970, 1, 1, tzinfo=UTC)
    running_tasks_count: int = 0
    agent_version: str = "1.0.0"
    agent_connected: bool = True
    task_groups: frozenset[str] = frozenset()


Predicate = Callable[[InstanceFacts], bool]


@dataclass(frozen=True)
class Expression:
    """A parsed expression; ``matches`` runs a predicate compiled once at parse time."""

    _predicate: Predicate = field(init=False, repr=False, compare=False)

    def matches(self, instance: InstanceFacts) -> bool:
        """True when ``instance`` satisfies the expression."""
        return self._predicate(instance)


@dataclass(frozen=True)
class Comparison(Expression):
    """``subject operator [argument]``; operator in symbol form, list arguments as tuples."""

    subject: str
    operator: str
    argument: str | tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        predicate = _compile(self.subject, self.operator, self.argument)
        object.__setattr__(self, "_predicate", predicate)

    def __str__(self) -> str:
        if self.argument is None:
            return f"{self.subject} {self.operator}"
        if isinstance(self.argument, tuple):
            return f"{self.subject} {self.operator} [{', '.join(map(_quote, self.argument))}]"
        return f"{self.subject} {self.operator} {_quote(self.argument)}"


@dataclass(frozen=True)
class Not(Expression):
    """The operand does not hold (``not``/``!``)."""

    operand: Expression

    def __post_init__(self) -> None:
        inner = self.operand._predicate
        object.__setattr__(self, "_predicate", lambda facts: not inner(facts))

    def __str__(self) -> str:
        return f"not ({self.operand})"


@dataclass(frozen=True)
class _Compound(Expression):
    operands: tuple[Expression, ...]
    joiner: ClassVar[str]
    decided_by: ClassVar[bool]  # the operand result that settles the whole (short-circuit)

    def __post_init__(self) -> None:
        predicates, decided_by = tuple(o._predicate for o in self.operands), self.decided_by

        def combined(facts: InstanceFacts) -> bool:
            for predicate in predicates:
                if predicate(facts) == decided_by:
                    return decided_by
            return not decided_by

        object.__setattr__(self, "_predicate", combined)

    def __str__(self) -> str:
        def wrap(o: Expression) -> str:  # parentheses where the grammar needs them to round-trip
            group = isinstance(o, _Compound) and (type(o) is type(self) or self.joiner == "and")
            return f"({o})" if group else str(o)

        return f" {self.joiner} ".join(map(wrap, self.operands))


class And(_Compound):
    """All operands hold (``and``/``&&``)."""

    joiner, decided_by = "and", False


class Or(_Compound):
    """At least one operand holds (``or``/``||``)."""

    joiner, decided_by = "or", True


@lru_cache(maxsize=4096)
def parse(expression: str) -> Expression:
    """Parse a CQL expression (cached: the scheduler evaluates the same text on every instance).

    Raises CQLSyntaxError, pointing at the column, for anything ECS would reject.
    """
    return _Parser(expression).parse()


def matches(expression: str, instance: InstanceFacts) -> bool:
    """True when ``instance`` satisfies the CQL ``expression``."""
    return parse(expression).matches(instance)


# --- tokenizer -----------------------------------------------------------------------------------

_PUNCTUATION = "()[],"
_SYMBOLS = ("&&", "||", "==", "!=", ">=", "<=", "=~", "!~", ">", "<")  # longest first


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # one of _PUNCTUATION, "symbol", "word", "quoted", "end"
    text: str
    offset: int


def _tokenize(expression: str) -> list[_Token]:
    """Split ``expression`` into punctuation, operator symbols, quoted values and bare words."""
    tokens, i = [], 0
    while True:
        while i < len(expression) and expression[i].isspace():
            i += 1
        if i == len(expression):
            return [*tokens, _Token("end", "", i)]
        char, start = expression[i], i
        if char in _PUNCTUATION:
            tokens.append(_Token(char, char, i))
            i += 1
        elif char in "'\"":
            close = expression.find(char, i + 1)
            if close < 0:
                raise CQLSyntaxError(expression, i, f"this quoted value has no closing {char}")
            tokens.append(_Token("quoted", expression[i + 1 : close], i))
            i = close + 1
        elif char == "!" or expression.startswith(_SYMBOLS, i):
            negated = [w for w in ("!exists", "!in") if _word_at(expression, i, w)]
            symbol = next((s for s in negated + [*_SYMBOLS] if expression.startswith(s, i)), "!")
            tokens.append(_Token("symbol", symbol, i))
            i += len(symbol)
        else:
            while not _word_ends(expression, i):
                i += 1
            tokens.append(_Token("word", expression[start:i], start))


def _word_ends(expression: str, i: int) -> bool:
    """A bare word stops at the end, whitespace, punctuation, a quote or an operator symbol."""
    if i == len(expression):
        return True
    return (
        expression[i].isspace() or expression[i] in "()[],'\"" or expression.startswith(_SYMBOLS, i)
    )


def _word_at(expression: str, i: int, word: str) -> bool:
    return expression.startswith(word, i) and _word_ends(expression, i + len(word))


def _quote(value: str) -> str:
    """``value`` as written in a normalised expression: bare when it lexes as one word."""
    try:
        if _tokenize(value) == [_Token("word", value, 0), _Token("end", "", len(value))]:
            return value
    except CQLSyntaxError:
        pass
    return f'"{value}"' if "'" in value else f"'{value}'"


# --- parser --------------------------------------------------------------------------------------


class _Parser:
    """Recursive descent over the grammar in the module docstring, one method per rule."""

    def __init__(self, expression: str) -> None:
        self.expression, self.tokens, self.index = expression, _tokenize(expression), 0

    def parse(self) -> Expression:
        result = self.expression_rule()
        self.expect_closer(result, "end", "the end of the expression")
        return result

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        self.index += token.kind != "end"  # never step past the end
        return token

    def fail(self, token: _Token, expected: str, hint: str = "") -> CQLSyntaxError:
        found = {"end": "the end of the expression", "quoted": f"the quoted value '{token.text}'"}
        what = found.get(token.kind, f"'{token.text}'")
        return CQLSyntaxError(
            self.expression, token.offset, f"expected {expected}, found {what}", hint
        )

    def at_keyword(self, *spellings: str) -> bool:
        token = self.peek()
        return token.kind in ("word", "symbol") and token.text in spellings

    def expect_closer(self, parsed: Expression, kind: str, closer: str) -> None:
        token = self.peek()
        if token.kind == kind:
            return
        hint = (
            _QUOTE_HINT
            if token.kind in ("word", "quoted") and isinstance(parsed, Comparison)
            else ""
        )
        raise self.fail(token, f"'and', 'or' or {closer}", hint)

    def expression_rule(self) -> Expression:
        operands = [self.and_rule()]
        while self.at_keyword("or", "||"):
            self.advance()
            operands.append(self.and_rule())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_rule(self) -> Expression:
        operands = [self.not_rule()]
        while self.at_keyword("and", "&&"):
            self.advance()
            operands.append(self.not_rule())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_rule(self) -> Expression:
        if self.at_keyword("not", "!"):
            self.advance()
            return Not(self.not_rule())
        if self.peek().kind == "(":
            opening = self.advance()
            inner = self.expression_rule()
            self.expect_closer(inner, ")", f"')' to close the '(' at column {opening.offset + 1}")
            self.advance()
            return inner
        return self.comparison_rule()

    def comparison_rule(self) -> Comparison:
        subject_token = self.advance()
        subject = self.subject_rule(subject_token)
        operator_token = self.advance()
        operator = _SPELLINGS.get(operator_token.text) if operator_token.kind != "quoted" else None
        kind = "attribute" if subject.startswith("attribute:") else subject
        allowed = _ALLOWED_OPERATORS[kind]
        listed = ", ".join(
            op if op == _WORD_FORMS[op] else f"{op} ({_WORD_FORMS[op]})" for op in allowed
        )
        if operator is None:
            hint = f"{subject} allows: {listed}." + (
                " Use == to compare." if operator_token.text == "=" else ""
            )
            raise self.fail(operator_token, f"an operator after '{subject}'", hint)
        if operator not in allowed:
            reason = f"{subject} does not support the operator '{operator_token.text}'"
            raise CQLSyntaxError(
                self.expression, operator_token.offset, reason, f"It allows: {listed}."
            )
        if operator in _PRESENCE:
            value_tokens: list[_Token] = []
            argument: str | tuple[str, ...] | None = None
        elif operator in _MEMBERSHIP:
            value_tokens = self.list_rule(operator_token)
            argument = tuple(token.text for token in value_tokens)
        else:
            value_tokens = [self.value_rule(operator_token)]
            argument = value_tokens[0].text
        try:
            return Comparison(subject, operator, argument)
        except _BadArgument as problem:
            bad = value_tokens[problem.index]
            raise CQLSyntaxError(
                self.expression, bad.offset, problem.reason, problem.hint
            ) from None

    def subject_rule(self, token: _Token) -> str:
        if token.kind == "word" and token.text in _ALLOWED_OPERATORS and token.text != "attribute":
            return token.text
        if token.kind == "word" and token.text.startswith("attribute:"):
            if _ATTRIBUTE_NAME.fullmatch(token.text.removeprefix("attribute:")):
                return token.text
            reason = "an attribute name is 1-128 letters, digits, '-', '_', '/', '\\' or '.'"
            raise CQLSyntaxError(self.expression, token.offset + 10, reason, _SUBJECTS_HINT)
        raise self.fail(token, "a subject", _SUBJECTS_HINT)

    def value_rule(self, after: _Token) -> _Token:
        token = self.advance()
        if token.kind not in ("word", "quoted"):
            raise self.fail(token, f"a value after '{after.text}'", _QUOTE_HINT)
        return token

    def list_rule(self, after: _Token) -> list[_Token]:
        hint = "Write the argument list in brackets: attribute:ecs.availability-zone in [a, b]."
        if self.peek().kind != "[":
            raise self.fail(self.peek(), f"'[' to start the argument list of '{after.text}'", hint)
        self.advance()
        values = [self.value_rule(after)]
        while self.peek().kind == ",":
            self.advance()
            values.append(self.value_rule(after))
        if (closing := self.advance()).kind != "]":
            raise self.fail(closing, "',' or ']'", _QUOTE_HINT)
        return values


# --- evaluation ----------------------------------------------------------------------------------


class _BadArgument(CQLError):
    """An argument the subject cannot be compared with; the parser adds the position."""

    def __init__(self, index: int, reason: str, hint: str) -> None:
        self.index, self.reason, self.hint = index, reason, hint
        super().__init__(f"{reason}. {hint}")


def _compile(subject: str, operator: str, argument: str | tuple[str, ...] | None) -> Predicate:
    """Build the predicate for one comparison, converting the argument once."""
    if operator in _PATTERN:
        fullmatch, wanted = _java_regex(argument).fullmatch, operator == "=~"
    if subject == "task:group":  # a question about the set of groups on the instance
        if operator in _PATTERN:
            return lambda facts: any(map(fullmatch, facts.task_groups)) == wanted
        if operator in _PRESENCE:
            return lambda facts: bool(facts.task_groups) == (operator == "exists")
        members, wanted = frozenset(_items(argument)), operator in ("==", "in")
        return lambda facts: (not members.isdisjoint(facts.task_groups)) == wanted
    read, convert = _READERS.get(subject) or _attribute_reader(subject.removeprefix("attribute:"))
    if operator in _PRESENCE:
        wanted = operator == "exists"
        return lambda facts: (read(facts) is not None) == wanted
    if operator in _PATTERN:
        return lambda facts: (v := read(facts)) is not None and (fullmatch(v) is not None) == wanted
    values = []
    for index, item in enumerate(_items(argument)):
        try:
            values.append(convert(item))
        except ValueError as problem:
            reason = f"{subject} cannot be compared with '{item}'"
            raise _BadArgument(index, reason, str(problem)) from None
    if subject == "registeredAt" and not isinstance(values[0], datetime):
        read = _registered_day  # a date argument compares the UTC day
    if operator in _MEMBERSHIP:
        members, wanted = frozenset(values), operator == "in"
        return lambda facts: (v := read(facts)) is not None and (v in members) == wanted
    compare, target = _COMPARE[operator], values[0]
    if subject.startswith("attribute:") and operator in _ORDERING:
        compare = _numeric_or_text(compare, target)
    return lambda facts: (v := read(facts)) is not None and compare(v, target)


def _items(argument: str | tuple[str, ...] | None) -> tuple[str, ...]:
    return argument if isinstance(argument, tuple) else (argument or "",)


def _attribute_reader(name: str) -> tuple[Callable, Callable]:
    return (lambda facts: facts.attributes.get(name)), str


def _numeric_or_text(compare: Callable, target: str) -> Callable[[str, str], bool]:
    """Order attribute values as numbers when both sides are numbers, else as text."""
    number = float(target) if _NUMBER.fullmatch(target) else None

    def ordered(value: str, _target: str) -> bool:
        if number is not None and _NUMBER.fullmatch(value):
            return compare(float(value), number)
        return compare(value, target)

    return ordered


def _boolean_argument(text: str) -> str:
    if text.lower() not in ("true", "false"):
        raise ValueError("agentConnected takes true or false.")
    return text.lower()


def _count_argument(text: str) -> int:
    if not (text.isascii() and text.isdigit()):
        raise ValueError("runningTasksCount takes a whole number, e.g. runningTasksCount == 1.")
    return int(text)


def _version_argument(text: str) -> tuple[int, ...]:
    if not _VERSION.fullmatch(text):
        raise ValueError("agentVersion takes a version number, e.g. agentVersion < 1.14.5.")
    return _version_key(text)


@lru_cache(maxsize=256)
def _version_key(text: str) -> tuple[int, ...] | None:
    """``1.14.5`` -> (1, 14, 5), trailing zeros dropped so 1.14 == 1.14.0; None if no version."""
    found = _VERSION.search(text)
    if not found:
        return None
    numbers = [int(part) for part in found.group().split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)


def _date_argument(text: str) -> datetime | date:
    for date_format in _DATE_FORMATS:
        try:
            parsed = datetime.strptime(text, date_format)
        except ValueError:
            continue
        return parsed.date() if date_format == "%Y-%m-%d" else _utc(parsed)
    raise ValueError(
        "registeredAt takes one of 2018-06-18T22:28:28+00:00, 2018-06-18T22:28:28Z, "
        "2018-06-18T22:28:28 or 2018-06-18."
    )


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _registered_day(facts: InstanceFacts) -> date:
    return _utc(facts.registered_at).date()


_READERS: dict[str, tuple[Callable[[InstanceFacts], object], Callable[[str], object]]] = {
    "ec2InstanceId": (lambda facts: facts.ec2_instance_id, str),
    "agentConnected": (
        lambda facts: "true" if facts.agent_connected else "false",
        _boolean_argument,
    ),
    "agentVersion": (lambda facts: _version_key(facts.agent_version), _version_argument),
    "runningTasksCount": (lambda facts: facts.running_tasks_count, _count_argument),
    "registeredAt": (
        lambda facts: _utc(facts.registered_at).replace(microsecond=0),
        _date_argument,
    ),
}
_POSIX_CLASSES = {
    "Lower": "a-z", "Upper": "A-Z", "ASCII": r"\x00-\x7F", "Alpha": "a-zA-Z", "Digit": "0-9",
    "Alnum": "a-zA-Z0-9", "Punct": r"!-/:-@\[-`{-~", "Graph": "!-~", "Print": " -~",
    "Blank": r" \t", "Cntrl": r"\x00-\x1F\x7F", "XDigit": "0-9a-fA-F", "Space": r" \t\n\x0B\f\r",
}  # fmt: skip
_ESCAPES = {r"\z": r"\Z", r"\Z": r"(?=\n?\Z)"}


@lru_cache(maxsize=1024)
def _java_regex(pattern: str) -> re.Pattern[str]:
    """Compile a java.util.regex pattern with Python's ``re``, translating Java-only syntax."""
    out, i, class_start = [], 0, -1  # class_start: index of the '[' while inside a class
    try:
        while i < len(pattern):
            char, pair = pattern[i], pattern[i : i + 2]
            if pair == r"\Q":  # quoted literal up to \E (or the end)
                end = pattern.find(r"\E", i + 2)
                end = len(pattern) if end < 0 else end
                out.append(re.escape(pattern[i + 2 : end]))
                i = end + 2
            elif pair in (r"\p", r"\P"):  # POSIX class such as \p{Lower} or \P{Digit}
                close = pattern.find("}", i)
                name = pattern[i + 3 : close].removeprefix("Is") if close > 0 else ""
                if (
                    pattern[i + 2 : i + 3] != "{"
                    or name not in _POSIX_CLASSES
                    or (pair == r"\P" and class_start >= 0)
                ):
                    raise ValueError(f"{pair}{{...}} supports only POSIX names like Lower or Digit")
                negate = "^" if pair == r"\P" else ""
                body = _POSIX_CLASSES[name]
                out.append(body if class_start >= 0 else f"[{negate}{body}]")
                i = close + 1
            elif pair == r"\k" and pattern[i + 2 : i + 3] == "<":  # named back-reference
                close = pattern.find(">", i)
                out.append(f"(?P={pattern[i + 3 : close]})")
                i = close + 1 if close > 0 else len(pattern)
            elif char == "\\":
                out.append(_ESCAPES.get(pair, pair))
                i += 2
            elif (
                class_start < 0
                and pattern.startswith("(?<", i)
                and pattern[i + 3 : i + 4] not in ("=", "!", "")
            ):
                out.append("(?P<")  # Java's named group (?<name>...)
                i += 3
            else:
                if class_start >= 0 and (char == "[" or pair == "&&"):
                    raise ValueError("nested classes and && inside [...] are not supported")
                if class_start < 0 and char == "[":
                    class_start = i
                elif (
                    class_start >= 0
                    and char == "]"
                    and i > class_start + 1 + (pattern[class_start + 1] == "^")
                ):
                    class_start = -1
                out.append(char)
                i += 1
        return re.compile("".join(out), re.ASCII)
    except (ValueError, re.error) as problem:
        reason = getattr(problem, "msg", None) or str(problem)
        hint = "=~ and !~ take a Java regular expression that must match the whole value: t2.*"
        raise _BadArgument(
            0, f"'{pattern}' is not a usable Java regular expression ({reason})", hint
        ) from None
