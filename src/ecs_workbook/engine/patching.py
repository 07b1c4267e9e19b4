"""The moto classes the engine patches, and the way back to moto's own methods.

:func:`ecs_workbook.engine.install` keeps each replaced method on its class as
``_ecs_workbook_original_<method>``; a replacement that extends moto calls it through
:func:`original`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from moto.ecs import models as ecs_models
from moto.ecs import responses as ecs_responses
from moto.elbv2 import models as elbv2_models

#: Where moto's own method is kept once the engine replaces it.
ORIGINAL_PREFIX = "_ecs_workbook_original_"

Response = ecs_responses.EC2ContainerServiceResponse
Backend = ecs_models.EC2ContainerServiceBackend
TargetGroup = elbv2_models.FakeTargetGroup


def original(owner: type, name: str) -> Callable[..., Any]:
    """moto's own ``owner.name``, as it was before the engine replaced it."""
    return getattr(owner, ORIGINAL_PREFIX + name)
