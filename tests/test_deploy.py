"""Scaling out: the Zero to JupyterHub values and the repo2docker (Binder/JupyterHub) build files.

Checked offline: the hub values use only keys the z2jh chart's schema accepts (a subset of it is
kept in tests/fixtures), learners land on a notebook that exists, their pods cannot reach the
internet, and environment.yml is something repo2docker can build. Resolving environment.yml
against PyPI is left to the image build; here each entry is checked to be a valid requirement.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import jsonschema
import pytest
import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
HUB_CONFIG = ROOT / "deploy/jupyterhub/config.yaml"
SCHEMA = ROOT / "tests/fixtures/z2jh-values-subset.schema.json"
GUIDE = ROOT / "docs/workshop.md"
#: Where the guide's repo2docker command puts the repository inside the image.
REPO_IN_IMAGE = "/srv/ecs-workbook"
#: repo2docker's reading of a conda python pin (repo2docker/buildpacks/conda/__init__.py).
REPO2DOCKER_PYTHON_PIN = re.compile(r"python\s*=+\s*([\d\.]*)")


@pytest.fixture(scope="module")
def hub() -> dict:
    return yaml.safe_load(HUB_CONFIG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def environment() -> dict:
    return yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))


def _bytes(quantity: str | int) -> int:
    """KubeSpawner's memory quantities: a number of bytes with an optional K/M/G/T suffix."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)([KMGT]?)", str(quantity))
    assert match, f"{quantity!r} is not a KubeSpawner memory quantity"
    return int(float(match.group(1)) * 1024 ** " KMGT".index(match.group(2) or " "))


def _post_start_command(hub: dict) -> str:
    return hub["singleuser"]["lifecycleHooks"]["postStart"]["exec"]["command"][-1]


def test_the_hub_values_use_only_keys_and_types_the_z2jh_chart_accepts(hub):
    jsonschema.validate(hub, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_the_schema_check_rejects_a_key_the_chart_does_not_know(hub):
    misspelt = {**hub, "singleuser": {**hub["singleuser"], "defaultURL": "/lab"}}
    with pytest.raises(jsonschema.ValidationError, match="defaultURL"):
        jsonschema.validate(misspelt, json.loads(SCHEMA.read_text(encoding="utf-8")))


def test_learners_land_on_the_start_notebook_which_the_post_start_hook_copies_home(hub):
    default_url = hub["singleuser"]["defaultUrl"]
    match = re.fullmatch(r"/lab/tree/(.+\.ipynb)", default_url)
    assert match, f"defaultUrl {default_url!r} does not open a notebook in JupyterLab"
    notebook = Path(match.group(1))
    assert (ROOT / notebook).exists(), f"{notebook} does not exist in the repository"
    assert f"{REPO_IN_IMAGE}/{notebook.parts[0]}" in _post_start_command(hub)


def test_the_post_start_hook_copies_labs_and_solutions_and_never_overwrites_learners_work(hub):
    command = shlex.split(_post_start_command(hub))
    assert command[0] == "cp" and "n" in command[1], "copy with -n (no clobber)"
    for folder in ("notebooks", "labs", "solutions"):
        assert f"{REPO_IN_IMAGE}/{folder}" in command


def test_the_guides_image_build_puts_the_repository_where_the_hook_copies_from():
    for text in (GUIDE.read_text(encoding="utf-8"), HUB_CONFIG.read_text(encoding="utf-8")):
        assert f"--target-repo-dir {REPO_IN_IMAGE}" in text


def test_learner_pods_cannot_reach_the_internet_or_the_cloud_metadata_server(hub):
    """The kit needs no network; denying egress keeps real AWS endpoints and node roles away."""
    policy = hub["singleuser"]["networkPolicy"]
    assert policy["enabled"] is True
    rules = policy["egressAllowRules"]
    assert rules["nonPrivateIPs"] is False
    assert rules["cloudMetadataServer"] is False
    assert not policy.get("egress"), "no extra egress rules"


def test_idle_servers_are_culled_and_the_memory_limit_covers_the_guarantee(hub):
    assert hub["cull"]["enabled"] is True and hub["cull"]["timeout"] > 0
    memory = hub["singleuser"]["memory"]
    assert _bytes(memory["guarantee"]) <= _bytes(memory["limit"])
    assert _bytes(memory["guarantee"]) >= 512 * 1024**2, "a server and one kernel need ~470 MiB"


def test_the_image_tag_is_never_latest(hub):
    assert hub["singleuser"]["image"]["tag"] != "latest"


def test_repo2docker_builds_from_the_root_environment_yml_alone():
    """A binder/ folder would make repo2docker ignore environment.yml at the root."""
    assert (ROOT / "environment.yml").exists()
    for shadowing in ("binder", ".binder", "requirements.txt", "Dockerfile"):
        assert not (ROOT / shadowing).exists(), f"{shadowing} would change what repo2docker builds"


def test_every_pip_entry_of_environment_yml_is_a_requirement_or_the_kit_itself(environment):
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    for entry in pip:
        if entry.startswith("-"):
            option, _, target = entry.partition(" ")
            assert option in ("-e", "--editable") and target == "."
            assert (ROOT / target / "pyproject.toml").exists()
        else:
            Requirement(entry)  # raises InvalidRequirement


def test_repo2docker_can_read_the_python_version_from_environment_yml(environment):
    pins = [
        REPO2DOCKER_PYTHON_PIN.match(dep)
        for dep in environment["dependencies"]
        if isinstance(dep, str) and dep.startswith("python")
    ]
    versions = [pin.group(1) for pin in pins if pin and pin.group(1)]
    assert versions and tuple(map(int, versions[0].split(".")[:2])) >= (3, 11)
