"""ECS's errors, raised as moto's ``ECSException`` so server mode answers 4xx with ECS's code.

The classes are moto's (``moto.ecs.exceptions``, ECS's error codes and messages); these helpers
build the ones the engine raises itself.
https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
"""

from __future__ import annotations

from moto.ecs.exceptions import ECSException, InvalidParameterException

from ecs_workbook import scheduler


def invalid_parameter(message: str) -> ECSException:
    """ECS's InvalidParameterException (a ClientException) with this message."""
    return InvalidParameterException(message)


def from_scheduler(error: scheduler.ECSError) -> ECSException:
    """A ``scheduler.ECSError`` as the moto exception with the same ECS code and message."""
    return ECSException(error.code, error.message)


def service_not_active() -> ECSException:
    """What ECS answers when a call names a service that was deleted."""
    return ECSException("ServiceNotActiveException", "Service was not ACTIVE.")
