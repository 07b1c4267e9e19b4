"""The one error the auto scaling model raises: an input AWS would reject or the model cannot take."""


class AutoScalingConfigError(ValueError):
    """A scaling input that AWS would reject or the model cannot represent, said for the learner."""
