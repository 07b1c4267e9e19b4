"""The authoritative checks, one module per lab: ``lab_01`` for ``01_clusters_and_instances``.

Each module defines ``EXERCISES``, a list of :class:`ecs_workbook.grading.checking.Exercise`.
"""
