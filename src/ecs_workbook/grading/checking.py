"""Checks: one function per exercise that awards points, each with feedback a learner can act on.

A lab's checks live in ``ecs_workbook.grading.checks.lab_NN`` as a list ``EXERCISES`` of
:class:`Exercise`. A check receives a :class:`CheckContext` with the learner's answers (read from the
kernel as JSON) and boto3 clients to the moto state, and calls :meth:`CheckContext.expect` once per
thing it checks, each worth some points: that is the partial credit. The *same* function runs in two
places: in the grader's own process, against the grader's moto server, for the grade; and in the
learner's kernel through ``lab.check("ex1")``, for instant feedback. Only the first one counts.
"""

from __future__ import annotations

import contextlib
import importlib
import signal
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ecs_workbook.grading import answers as answer_codec

PASS_MARK = "✔"
FAIL_MARK = "✘"
#: Seconds one check may take in the grader before it is stopped (a learner's regex, say).
CHECK_TIME_LIMIT_SECONDS = 10.0


@dataclass(frozen=True)
class FeedbackItem:
    """One thing a check looked at: worth ``points``, passed or not, and why, in the learner's terms."""

    points: float
    passed: bool
    expected: str
    found: str = ""
    hint: str = ""

    @property
    def score(self) -> float:
        return self.points if self.passed else 0.0

    def text(self) -> str:
        """One readable line (plus hint): what was expected, what was found, what to try."""
        if self.passed:
            return f"{PASS_MARK} {self.expected}"
        line = f"{FAIL_MARK} expected {self.expected}"
        if self.found:
            line += f"; found {self.found}"
        if self.hint:
            line += f". Hint: {self.hint}"
        return line

    def to_json(self) -> dict[str, Any]:
        return {
            "points": self.points,
            "passed": self.passed,
            "expected": self.expected,
            "found": self.found,
            "hint": self.hint,
            "message": self.text(),
        }


@dataclass
class ExerciseResult:
    """The score of one exercise and the feedback behind it."""

    id: str
    title: str
    max_score: float
    items: list[FeedbackItem] = field(default_factory=list)

    @property
    def score(self) -> float:
        return min(self.max_score, sum(item.score for item in self.items))

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score >= self.max_score

    def failed_items(self) -> list[FeedbackItem]:
        return [item for item in self.items if not item.passed]

    def text(self) -> str:
        """The feedback block printed under a check cell."""
        mark = PASS_MARK if self.passed else FAIL_MARK
        lines = [f"{mark} {self.id} · {self.title}: {points(self.score)}/{points(self.max_score)}"]
        lines += [f"    {item.text()}" for item in self.items]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "feedback": [item.to_json() for item in self.items],
        }


def points(value: float) -> str:
    """``3`` for 3.0, ``1.5`` for 1.5: scores as people write them."""
    return f"{value:g}"


class AnswerError(Exception):
    """An answer the check cannot use (missing, still None, wrong type): becomes a failed item."""

    def __init__(self, expected: str, found: str, hint: str) -> None:
        super().__init__(found)
        self.expected = expected
        self.found = found
        self.hint = hint


class CheckTimeout(Exception):
    """A check ran past :data:`CHECK_TIME_LIMIT_SECONDS`."""


_TYPE_WORDS = {
    int: "a whole number (int)",
    float: "a number",
    str: "a string (str)",
    bool: "True or False (bool)",
    list: "a list",
    dict: "a dict",
}
_JSON_TYPE_NAMES = {
    int: "int",
    float: "float",
    str: "str",
    bool: "bool",
    list: "list",
    dict: "dict",
}


def describe_type(expected: type | tuple[type, ...]) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(_TYPE_WORDS.get(kind, kind.__name__) for kind in kinds)


def _shorten(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class CheckContext:
    """What a check may use: the answers, read-only AWS clients, and :meth:`expect` to award points.

    ``answers`` maps variable names to encoded answers (see :mod:`.answers`); ``client_factory``
    returns a boto3 client for a service name, bound to the moto state being graded.
    Checks must only *read* AWS state (describe/list calls): the in-notebook check runs between
    exercises, and must not change what the learner's next cell sees.
    """

    def __init__(
        self,
        answers: Mapping[str, Mapping[str, Any]],
        client_factory: Callable[[str], Any],
        *,
        declared: Sequence[str] = (),
    ) -> None:
        self._answers = dict(answers)
        self._client_factory = client_factory
        self._clients: dict[str, Any] = {}
        self._declared = tuple(declared) or tuple(self._answers)
        self.items: list[FeedbackItem] = []

    # -- answers -------------------------------------------------------------------------------
    def answer(
        self, name: str, expected_type: type | tuple[type, ...] | None = None, *, example: str = ""
    ) -> Any:
        """The learner's value of ``name``; raises :class:`AnswerError` when it cannot be used.

        ``expected_type`` is checked after the JSON round trip: tuples arrive as lists, an integral
        float is accepted as an int, and ``True`` is never taken for a number.
        """
        if name not in self._declared:
            raise KeyError(
                f"check reads {name!r}, which is not in its Exercise(answers=...): declare it there"
            )
        wanted = describe_type(expected_type) if expected_type else "an answer"
        expected = f"{wanted} in `{name}`" + (f" (for example {example})" if example else "")
        record = self._answers.get(name, {"status": answer_codec.MISSING})
        status = record.get("status")
        if status == answer_codec.MISSING:
            raise AnswerError(
                expected,
                f"`{name}` is not defined",
                "run the exercise cell (it defines it), then run the check cell again",
            )
        if status == answer_codec.UNSERIALIZABLE:
            value_type = record.get("type", "object")
            if expected_type is None:
                raise AnswerError(
                    f"a plain value (number, string, list or dict) in `{name}`",
                    f"a {value_type} object: {record.get('repr', '')}",
                    "store plain values (for example an ARN string), not client or response objects",
                )
            raise AnswerError(
                expected,
                f"a {value_type} object: {_shorten(str(record.get('repr', '')))}",
                f"store {describe_type(expected_type)} in `{name}`",
            )
        value = record.get("value")
        if value is None:
            raise AnswerError(
                expected,
                f"`{name}` is still None: not answered yet",
                "replace None in the exercise cell with your answer and run it",
            )
        if expected_type is not None:
            value = self._coerce(name, value, record.get("type", ""), expected_type, expected)
        return value

    def _coerce(
        self,
        name: str,
        value: Any,
        type_name: str,
        expected_type: type | tuple[type, ...],
        expected: str,
    ) -> Any:
        kinds = expected_type if isinstance(expected_type, tuple) else (expected_type,)
        if isinstance(value, bool) and bool not in kinds:
            pass  # never take True/False for a number
        elif isinstance(value, kinds):
            return value
        elif int in kinds and isinstance(value, float) and value.is_integer():
            return int(value)
        elif float in kinds and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        shown = type_name or type(value).__name__
        raise AnswerError(
            expected,
            f"a {shown}: {_shorten(repr(value))}",
            f"`{name}` should hold {describe_type(expected_type)}",
        )

    # -- AWS -----------------------------------------------------------------------------------
    def client(self, service_name: str) -> Any:
        """A boto3 client for ``service_name`` on the moto state being checked."""
        if service_name not in self._clients:
            self._clients[service_name] = self._client_factory(service_name)
        return self._clients[service_name]

    @property
    def ecs(self) -> Any:
        return self.client("ecs")

    @property
    def ec2(self) -> Any:
        return self.client("ec2")

    # -- scoring -------------------------------------------------------------------------------
    def expect(
        self, points: float, passed: bool, expected: str, found: str = "", hint: str = ""
    ) -> bool:
        """Award ``points`` if ``passed``; either way record what was expected and found.

        Returns ``passed`` so a check can stop when later items depend on this one.
        """
        self.items.append(FeedbackItem(float(points), bool(passed), expected, found, hint))
        return bool(passed)


@dataclass(frozen=True)
class Exercise:
    """One exercise of a lab: its id (``ex1``), title, points, the answers it reads and its check."""

    id: str
    title: str
    points: float
    answers: tuple[str, ...]
    check: Callable[[CheckContext], None]


def _remaining_item(
    exercise: Exercise, ctx: CheckContext, expected: str, found: str, hint: str
) -> FeedbackItem:
    """A failed item worth whatever the items so far did not cover."""
    covered = sum(item.points for item in ctx.items)
    return FeedbackItem(max(0.0, float(exercise.points) - covered), False, expected, found, hint)


@contextlib.contextmanager
def _time_limit(seconds: float | None) -> Iterator[None]:
    """Stop the block after ``seconds`` (POSIX main thread only; elsewhere, no limit)."""
    usable = (
        seconds is not None
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
    )
    if not usable:
        yield
        return

    def _expired(signum: int, frame: Any) -> None:
        raise CheckTimeout()

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def run_check(
    exercise: Exercise, ctx: CheckContext, *, time_limit_seconds: float | None = None
) -> ExerciseResult:
    """Run one check and turn whatever happens into a score and feedback (never a traceback)."""
    result = ExerciseResult(exercise.id, exercise.title, float(exercise.points))
    try:
        with _time_limit(time_limit_seconds):
            exercise.check(ctx)
    except AnswerError as problem:
        ctx.items.append(
            _remaining_item(exercise, ctx, problem.expected, problem.found, problem.hint)
        )
    except CheckTimeout:
        ctx.items.append(
            _remaining_item(
                exercise,
                ctx,
                "the check to finish",
                f"it was still running after {points(time_limit_seconds or 0)} s",
                "an answer that makes checking very slow (a huge list, a pathological pattern) "
                "cannot be graded; simplify it",
            )
        )
    except Exception as error:  # a check must never hand the learner a traceback
        ctx.items.append(_remaining_item(exercise, ctx, *_explain_check_error(error)))
    result.items = list(ctx.items)
    covered = sum(item.points for item in result.items)
    if covered < result.max_score:
        # A check that stopped early: say where the other points went, never lose them silently.
        result.items.append(
            FeedbackItem(
                result.max_score - covered,
                False,
                f"the other items of this exercise ({points(result.max_score - covered)} points)",
                "not checked until the items above pass",
            )
        )
    return result


def _explain_check_error(error: Exception) -> tuple[str, str, str]:
    """expected/found/hint for an error raised while checking."""
    response = getattr(error, "response", None)
    if isinstance(response, Mapping) and "Error" in response:
        code = response["Error"].get("Code", "Error")
        message = response["Error"].get("Message", "")
        return (
            "the AWS resources this exercise asks for",
            f"AWS answered {code}: {message}".rstrip(": "),
            "check the names in your answer and that your exercise cell ran after the sandbox started",
        )
    return (
        "the check to finish",
        f"it could not read your work ({type(error).__name__}: {_shorten(str(error), 120)})",
        "make sure your answers have the shape the exercise asks for; if they do, this is a bug "
        "in the kit: please report it",
    )


# -- finding a lab's checks ------------------------------------------------------------------------
class UnknownLab(LookupError):
    """No checks are installed for the lab a notebook names."""


def checks_module_name(lab: str) -> str:
    """``ecs_workbook.grading.checks.lab_01`` for ``01_clusters_and_instances`` (or ``01``, ``1``)."""
    number = lab.split("_", 1)[0]
    if not number.isdigit():
        raise UnknownLab(f"{lab!r} does not start with a lab number such as 01")
    return f"ecs_workbook.grading.checks.lab_{int(number):02d}"


def load_exercises(lab: str) -> list[Exercise]:
    """The ``EXERCISES`` of a lab, from the installed package."""
    name = checks_module_name(lab)
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        raise UnknownLab(f"no checks are installed for lab {lab!r}") from None
    exercises = list(module.EXERCISES)
    ids = [exercise.id for exercise in exercises]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{name}: exercise ids repeat: {ids}")
    return exercises


# -- in the notebook -------------------------------------------------------------------------------
class Lab:
    """The learner's feedback helper: ``lab = Lab("01_clusters_and_instances")``, then ``lab.check("ex1")``.

    ``lab.check("ex1")`` runs the grader's own check for exercise ``ex1`` against this kernel's
    variables and the running sandbox, and prints ✔/✘ lines with hints; ``lab.check()`` checks every
    exercise. It never raises: whatever goes wrong becomes a line of feedback. The grade itself is
    computed by ``ecs-workbook grade``, which does not use this object.
    """

    def __init__(self, lab: str) -> None:
        self.lab = lab

    def __repr__(self) -> str:
        return f"Lab({self.lab!r})"

    def check(self, exercise: str | None = None) -> None:
        try:
            print(self._feedback(exercise))
        except Exception as error:  # noqa: BLE001 - feedback must never become a traceback
            print(f"{FAIL_MARK} The check could not run ({type(error).__name__}: {error}).")

    def _feedback(self, exercise: str | None) -> str:
        try:
            exercises = load_exercises(self.lab)
        except UnknownLab as error:
            return f"{FAIL_MARK} {error}. Is the lab name in Lab(...) right?"
        chosen = [e for e in exercises if exercise is None or e.id == exercise]
        if not chosen:
            known = ", ".join(e.id for e in exercises)
            return f"{FAIL_MARK} This lab has no exercise {exercise!r} (it has {known})."
        client_factory = _sandbox_client_factory()
        if client_factory is None:
            return (
                f"{FAIL_MARK} No sandbox is running: run the first cell of the lab "
                "(sb = sandbox.start()) and your exercise cells, then check again."
            )
        namespace = answer_codec.kernel_namespace()
        results = []
        for item in chosen:
            encoded = answer_codec.encode_answers(namespace, item.answers)
            ctx = CheckContext(encoded, client_factory, declared=item.answers)
            results.append(run_check(item, ctx))
        blocks = [result.text() for result in results]
        if exercise is None:
            score = sum(result.score for result in results)
            total = sum(result.max_score for result in results)
            blocks.append(f"Lab {self.lab}: {points(score)}/{points(total)} points so far")
        return "\n".join(blocks)


def _sandbox_client_factory() -> Callable[[str], Any] | None:
    from ecs_workbook import sandbox

    running = sandbox.current()
    if running is None:
        return None
    return running.client
