"""Labs and their grader: build labs from solutions, run them, check them, report, reset.

In a lab notebook: ``from ecs_workbook.grading import Lab``, ``lab = Lab("01_clusters_and_instances")``,
then ``lab.check("ex1")`` after an exercise. On the command line: ``ecs-workbook grade labs/`` and
``ecs-workbook reset labs/01_clusters_and_instances.ipynb``. See docs/grading.md and
docs/authoring-labs.md.
"""

from ecs_workbook.grading.checking import CheckContext, Exercise, Lab

__all__ = ["CheckContext", "Exercise", "Lab"]
