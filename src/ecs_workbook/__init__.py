"""ECS Workbook: learn Amazon ECS against the moto emulator, with a faithful scheduler and simulators."""

__version__ = "0.1.0"
