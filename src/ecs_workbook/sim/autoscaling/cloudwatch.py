"""CloudWatch alarms as the scaling mechanisms use them: one datapoint a minute, ALARM after N.

Target tracking (its high and low alarms), the classic MemoryReservation recipe and managed scaling
all watch a metric the same way: an alarm goes to ALARM once the metric has breached for its number
of consecutive 1-minute datapoints, and any datapoint that does not breach starts the count again.
https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
"""

from __future__ import annotations

from dataclasses import dataclass

from .constants import COMPARISON_OPERATORS
from .errors import AutoScalingConfigError

#: How an event message writes each ``ComparisonOperator``.
OPERATOR_SYMBOL = {
    "GreaterThanThreshold": ">",
    "GreaterThanOrEqualToThreshold": ">=",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}


def breaches(value: float, threshold: float, comparison_operator: str) -> bool:
    """Whether one datapoint breaches an alarm threshold (CloudWatch ``ComparisonOperator``)."""
    if comparison_operator == "GreaterThanThreshold":
        return value > threshold
    if comparison_operator == "GreaterThanOrEqualToThreshold":
        return value >= threshold
    if comparison_operator == "LessThanThreshold":
        return value < threshold
    if comparison_operator == "LessThanOrEqualToThreshold":
        return value <= threshold
    raise AutoScalingConfigError(
        f"ComparisonOperator {comparison_operator!r} is not one CloudWatch knows; expected one of "
        f"{', '.join(COMPARISON_OPERATORS)}."
    )


@dataclass
class AlarmState:
    """One alarm's count of consecutive breaching minutes and whether it is in ALARM.

    ``datapoints`` is how many 1-minute datapoints must breach in a row (``EvaluationPeriods``).
    """

    datapoints: int
    breaching_minutes: int = 0
    in_alarm: bool = False

    def observe(self, breaching: bool, minutes: int) -> bool:
        """Count the datapoint(s) of the last ``minutes``; True when the alarm just went to ALARM."""
        self.breaching_minutes = self.breaching_minutes + minutes if breaching else 0
        was_in_alarm = self.in_alarm
        self.in_alarm = self.breaching_minutes >= self.datapoints
        return self.in_alarm and not was_in_alarm

    def insufficient_data(self) -> None:
        """No datapoint (e.g. no task reports the metric): the alarm leaves ALARM, counting restarts."""
        self.breaching_minutes = 0
        self.in_alarm = False

    def restart_count(self) -> None:
        """Count breaching datapoints from zero again, staying in the alarm's current state."""
        self.breaching_minutes = 0
