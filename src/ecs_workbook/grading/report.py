"""Grade reports: a table for the terminal, JSON, JUnit XML and Markdown for a CI step summary.

One :class:`GradeReport` holds a :class:`LabReport` per graded file; each format below is a pure
function of it, so every output tells the same story. JSON is otter/Gradescope-like
(``score``/``max_score`` per exercise, feedback items with expected/found/hint); JUnit has one test
case per exercise so CI shows failures natively; Markdown suits ``$GITHUB_STEP_SUMMARY``.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from typing import Any

from ecs_workbook.grading.checking import FAIL_MARK, PASS_MARK, ExerciseResult, points
from ecs_workbook.grading.submission import TamperFinding

#: Identifies the JSON layout for tools that read it.
JSON_SCHEMA = "ecs-workbook-grade/1"
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass
class LabReport:
    """The grade of one notebook file."""

    path: str
    lab: str | None = None
    title: str = ""
    version: str | None = None
    exercises: list[ExerciseResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    tampered: list[TamperFinding] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(exercise.score for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

    @property
    def name(self) -> str:
        return self.lab or self.path

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "lab": self.lab,
            "title": self.title,
            "version": self.version,
            "score": self.score,
            "max_score": self.max_score,
            "percent": percent(self.score, self.max_score),
            "problems": list(self.problems),
            "tampered": [finding.to_json() for finding in self.tampered],
            "exercises": [exercise.to_json() for exercise in self.exercises],
            "seconds": round(self.seconds, 2),
        }


@dataclass
class GradeReport:
    """Every graded file, plus problems that belong to no file (an empty folder, say)."""

    labs: list[LabReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    kit_version: str = ""

    @property
    def score(self) -> float:
        return sum(lab.score for lab in self.labs)

    @property
    def max_score(self) -> float:
        return sum(lab.max_score for lab in self.labs)

    @property
    def percent(self) -> float:
        return percent(self.score, self.max_score)

    def all_problems(self) -> list[str]:
        return self.problems + [p for lab in self.labs for p in lab.problems]


def percent(score: float, max_score: float) -> float:
    return round(100.0 * score / max_score, 1) if max_score else 0.0


# -- JSON ------------------------------------------------------------------------------------------
def to_json(report: GradeReport) -> dict[str, Any]:
    return {
        "schema": JSON_SCHEMA,
        "kit_version": report.kit_version,
        "score": report.score,
        "max_score": report.max_score,
        "percent": report.percent,
        "problems": list(report.problems),
        "labs": [lab.to_json() for lab in report.labs],
    }


def to_json_text(report: GradeReport) -> str:
    return json.dumps(to_json(report), indent=2, ensure_ascii=False) + "\n"


# -- terminal --------------------------------------------------------------------------------------
def to_table(report: GradeReport, *, width: int = 100) -> str:
    """The readable report: per lab, one row per exercise, what to fix under each failed one."""
    lines: list[str] = []
    for lab in report.labs:
        heading = f"{lab.path}"
        if lab.lab:
            heading += f"  ({lab.title or lab.lab})"
        lines.append(heading)
        lines.append("-" * min(width, max(len(heading), 40)))
        title_width = max([len(e.title) for e in lab.exercises] + [10])
        title_width = min(title_width, 48)
        for exercise in lab.exercises:
            mark = PASS_MARK if exercise.passed else FAIL_MARK
            title = (
                exercise.title
                if len(exercise.title) <= title_width
                else exercise.title[: title_width - 1] + "…"
            )
            score = f"{points(exercise.score)}/{points(exercise.max_score)}"
            lines.append(f"  {mark} {exercise.id:<6} {title:<{title_width}}  {score:>7}")
            for item in exercise.failed_items():
                lines.extend(_wrap(item.text(), width, indent="        "))
        if lab.exercises:
            lines.append(
                f"  {'Lab total':<{title_width + 9}}  "
                f"{points(lab.score) + '/' + points(lab.max_score):>7}  "
                f"({percent(lab.score, lab.max_score):g}%)"
            )
        if lab.problems:
            lines.append("  Problems:")
            for problem in lab.problems:
                lines.extend(_wrap(f"- {problem}", width, indent="    ", first_indent="    "))
        lines.append("")
    for problem in report.problems:
        lines.extend(_wrap(f"Problem: {problem}", width))
    lines.append(
        f"TOTAL {points(report.score)}/{points(report.max_score)} points "
        f"({report.percent:g}%) in {len(report.labs)} notebook(s)"
    )
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int, indent: str = "", first_indent: str | None = None) -> list[str]:
    import textwrap

    return textwrap.wrap(
        text,
        width=width,
        initial_indent=indent if first_indent is None else first_indent,
        subsequent_indent=indent + "  ",
        break_long_words=False,
        break_on_hyphens=False,
    ) or [indent]


# -- JUnit -----------------------------------------------------------------------------------------
def _xml_text(text: str) -> str:
    return _XML_INVALID.sub("�", text)


def to_junit(report: GradeReport) -> str:
    """JUnit XML: a test suite per lab, a test case per exercise (failed unless full marks)."""
    suites = ElementTree.Element("testsuites", name="ecs-workbook grade")
    total_tests = total_failures = total_errors = 0
    for lab in report.labs:
        suite = ElementTree.SubElement(suites, "testsuite", name=_xml_text(lab.name))
        failures = errors = 0
        classname = f"labs.{lab.lab}" if lab.lab else "labs"
        for exercise in lab.exercises:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=_xml_text(classname),
                name=_xml_text(f"{exercise.id}: {exercise.title}"),
                time="0",
            )
            ElementTree.SubElement(
                ElementTree.SubElement(case, "properties"),
                "property",
                name="score",
                value=f"{points(exercise.score)}/{points(exercise.max_score)}",
            )
            if not exercise.passed:
                failures += 1
                failure = ElementTree.SubElement(
                    case,
                    "failure",
                    message=_xml_text(
                        f"{points(exercise.score)}/{points(exercise.max_score)} points"
                    ),
                    type="PartialCredit" if exercise.score > 0 else "NoCredit",
                )
                failure.text = _xml_text("\n".join(item.text() for item in exercise.items))
        if not lab.exercises:
            errors += 1
            case = ElementTree.SubElement(
                suite,
                "testcase",
                classname=_xml_text(classname),
                name="read the notebook",
                time="0",
            )
            error = ElementTree.SubElement(case, "error", message="the notebook was not graded")
            error.text = _xml_text("\n".join(lab.problems))
        if lab.problems:
            ElementTree.SubElement(suite, "system-out").text = _xml_text(
                "Problems:\n" + "\n".join(f"- {problem}" for problem in lab.problems)
            )
        tests = len(lab.exercises) or 1
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", str(errors))
        suite.set("time", f"{lab.seconds:.2f}")
        total_tests += tests
        total_failures += failures
        total_errors += errors
    suites.set("tests", str(total_tests))
    suites.set("failures", str(total_failures))
    suites.set("errors", str(total_errors))
    ElementTree.indent(suites)
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        + ElementTree.tostring(suites, encoding="unicode")
        + "\n"
    )


# -- Markdown --------------------------------------------------------------------------------------
def _md(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(report: GradeReport) -> str:
    """A step summary: the total, a table per lab, what to fix, and the problems."""
    lines = [
        f"## ECS Workbook grade: {points(report.score)}/{points(report.max_score)} "
        f"({report.percent:g}%)",
        "",
    ]
    for lab in report.labs:
        title = f"{lab.lab} — {lab.title}" if lab.lab and lab.title else lab.name
        lines.append(
            f"### {_md(title)}: {points(lab.score)}/{points(lab.max_score)}"
            if lab.exercises
            else f"### {_md(title)}: not graded"
        )
        lines.append(f"`{lab.path}`")
        lines.append("")
        if lab.exercises:
            lines += ["| | Exercise | Score | What to fix |", "|---|---|---|---|"]
            for exercise in lab.exercises:
                mark = PASS_MARK if exercise.passed else FAIL_MARK
                fixes = "<br>".join(_md(item.text()) for item in exercise.failed_items())
                lines.append(
                    f"| {mark} | {_md(exercise.id)} {_md(exercise.title)} | "
                    f"{points(exercise.score)}/{points(exercise.max_score)} | {fixes} |"
                )
            lines.append("")
        if lab.problems:
            lines.append("**Problems**")
            lines.append("")
            lines += [f"- {problem}" for problem in lab.problems]
            lines.append("")
    if report.problems:
        lines.append("**Problems**")
        lines.append("")
        lines += [f"- {problem}" for problem in report.problems]
        lines.append("")
    return "\n".join(lines)
