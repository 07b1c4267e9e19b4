"""environment.yml (conda / Binder) and pyproject.toml (pip) must install the same kit."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
NAME = re.compile(r"^\s*([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)$")


def _split(requirement: str) -> tuple[str, str]:
    name, _extras, bound = NAME.match(requirement).groups()
    return name.lower().replace("_", "-"), bound.replace(" ", "")


def _pyproject() -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return dict(_split(r) for r in requirements)


def _environment() -> tuple[dict[str, str], list[str]]:
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    packages = dict(_split(d) for d in conda + [p for p in pip if not p.startswith("-")])
    packages.pop("python")
    packages.pop("pip")
    return packages, pip


def test_environment_yml_names_the_same_packages_with_the_same_bounds_as_pyproject():
    packages, _pip = _environment()
    assert packages == _pyproject()


def test_environment_yml_uses_conda_forge_only_and_installs_the_kit_itself():
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert environment["channels"] == ["conda-forge"]
    _packages, pip = _environment()
    assert "--editable ." in pip


def test_every_upper_cap_has_its_reason_written_beside_it():
    lines = (ROOT / "pyproject.toml").read_text().splitlines()
    for number, line in enumerate(lines):
        if re.search(r'"[^"]*<[^"=]*"', line):
            comment = " ".join(lines[max(0, number - 3) : number])
            assert "#" in comment, (
                f"pyproject.toml line {number + 1} caps a version without a reason"
            )
