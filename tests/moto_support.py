"""Moto setup the tests share: moto's fake identity in the environment, the engine, task states.

Test modules import it as ``from moto_support import ...``: pytest puts ``tests/`` on
``sys.path`` (rootdir-relative "prepend" import, no ``__init__.py``), as for ``browser_support``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from ecs_workbook import sandbox

#: What the sandbox gives every process: moto's fake keys (with a session token) and its region.
FAKE_ENVIRONMENT = {**sandbox.FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": sandbox.REGION}
#: Variables that could send boto3 to a real profile or to an endpoint other than moto.
REAL_AWS_VARIABLES = ("AWS_PROFILE", "AWS_ENDPOINT_URL")


def use_fake_aws(patch: pytest.MonkeyPatch) -> None:
    """Set moto's fake keys and region in ``patch`` and remove what could lead to real AWS."""
    for name in REAL_AWS_VARIABLES:
        patch.delenv(name, raising=False)
    for name, value in FAKE_ENVIRONMENT.items():
        patch.setenv(name, value)


@contextmanager
def fake_aws(*, engine: bool = False, tasks_stay_put: bool = False) -> Iterator[None]:
    """Fake credentials for the block (for module-scoped fixtures, where ``monkeypatch`` can't go).

    ``engine`` installs ``ecs_workbook.engine`` (moto's ECS behaves like ECS); ``tasks_stay_put``
    keeps tasks RUNNING however often they are described, as on ECS and as the sandbox sets it.
    Start moto (``mock_aws()``) inside the block.
    """
    from moto.moto_api import state_manager

    with pytest.MonkeyPatch.context() as patch:
        use_fake_aws(patch)
        if engine:
            from ecs_workbook import engine as ecs_engine

            ecs_engine.install()
        if tasks_stay_put:
            state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})
        try:
            yield
        finally:
            if tasks_stay_put:
                state_manager.unset_transition("ecs::task")
